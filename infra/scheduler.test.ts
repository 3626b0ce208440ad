// The local scheduler fires jobs when EventBridge Scheduler would: AWS cron (six fields, weekdays 1–7
// from Sunday) evaluated in the schedule's time zone, rate() intervals, and the input it would send.
import { awsCronToCroner, nextRun, rateToMs, scheduledInput } from './scheduler';

const SHANGHAI = 'Asia/Shanghai';

describe('awsCronToCroner', () => {
  test.each([
    ['cron(0 23 * * ? *)', '0 23 * * *'],
    ['cron(0 10 ? * MON *)', '0 10 * * MON'],
    ['cron(0/15 * * * ? *)', '0/15 * * * *'],
    ['cron(0 10 L * ? *)', '0 10 L * *'],
  ])('%s becomes %s', (aws, croner) => {
    expect(awsCronToCroner(aws)).toBe(croner);
  });

  test.each([
    ['1', '0'], // Sunday
    ['2', '1'], // Monday
    ['7', '6'], // Saturday
    ['2-6', '1-5'], // weekdays
    ['1,7', '0,6'], // weekends
    ['6#3', '5#3'], // the third Friday: the 3 is an ordinal, not a weekday
    ['6L', '5L'], // the last Friday
    ['1/2', '0/2'], // every other day from Sunday: the 2 is a step
  ])('AWS weekday %s (1 = Sunday) becomes croner weekday %s (0 = Sunday)', (aws, croner) => {
    expect(awsCronToCroner(`cron(0 10 ? * ${aws} *)`)).toBe(`0 10 * * ${croner}`);
  });

  test.each(['rate(5 minutes)', 'cron(0 23 * * ?)', 'cron(0 23 * * ? * *)', '0 23 * * ? *', 'cron()'])('%s is refused', (bad) => {
    expect(() => awsCronToCroner(bad)).toThrow();
  });
});

describe('nextRun', () => {
  test('the default cutoff, 23:00 in Shanghai, fires at 15:00Z the same UTC day', () => {
    const next = nextRun({ expression: 'cron(0 23 * * ? *)', timezone: SHANGHAI }, new Date('2026-11-25T03:00:00Z'));
    expect(next?.toISOString()).toBe('2026-11-25T15:00:00.000Z');
  });

  test('the cutoff that just fired next fires 24 hours later', () => {
    const next = nextRun({ expression: 'cron(0 23 * * ? *)', timezone: SHANGHAI }, new Date('2026-11-25T15:00:00Z'));
    expect(next?.toISOString()).toBe('2026-11-26T15:00:00.000Z');
  });

  test('the weekly payout, Monday 10:00 in Shanghai, fires on a Monday at 02:00Z', () => {
    // Wednesday 25 November 2026: the next Monday is the 30th.
    const next = nextRun({ expression: 'cron(0 10 ? * MON *)', timezone: SHANGHAI }, new Date('2026-11-25T00:00:00Z'));
    expect(next?.toISOString()).toBe('2026-11-30T02:00:00.000Z');
    expect(next?.getUTCDay()).toBe(1);
  });

  test('a numeric AWS weekday fires on the same day as its name', () => {
    const after = new Date('2026-11-25T00:00:00Z');
    for (const [num, name] of [
      ['1', 'SUN'],
      ['2', 'MON'],
      ['6', 'FRI'],
      ['7', 'SAT'],
    ] as const) {
      const byNumber = nextRun({ expression: `cron(0 10 ? * ${num} *)`, timezone: SHANGHAI }, after);
      const byName = nextRun({ expression: `cron(0 10 ? * ${name} *)`, timezone: SHANGHAI }, after);
      expect(byNumber?.toISOString()).toBe(byName?.toISOString());
    }
    const sunday = nextRun({ expression: 'cron(0 10 ? * 1 *)', timezone: SHANGHAI }, after);
    expect(sunday?.toISOString()).toBe('2026-11-29T02:00:00.000Z');
  });

  test('the third Friday of the month is the third, not the second', () => {
    const next = nextRun({ expression: 'cron(0 10 ? * 6#3 *)', timezone: SHANGHAI }, new Date('2026-12-01T00:00:00Z'));
    expect(next?.toISOString()).toBe('2026-12-18T02:00:00.000Z');
  });

  test('rate(5 minutes) fires five minutes after the given time, whatever the time zone', () => {
    const after = new Date('2026-11-25T15:00:00Z');
    expect(rateToMs('rate(5 minutes)')).toBe(300_000);
    expect(rateToMs('rate(1 hour)')).toBe(3_600_000);
    expect(rateToMs('rate(2 days)')).toBe(172_800_000);
    expect(nextRun({ expression: 'rate(5 minutes)', timezone: SHANGHAI }, after)?.toISOString()).toBe('2026-11-25T15:05:00.000Z');
  });

  test.each(['every day', 'rate(5 weeks)', 'rate(five minutes)', 'cron(0 23 * * ?)', 'cron(99 23 * * ? *)'])('%s throws', (bad) => {
    expect(() => nextRun({ expression: bad, timezone: SHANGHAI }, new Date('2026-11-25T00:00:00Z'))).toThrow();
  });
});

describe('scheduledInput', () => {
  test('substitutes the scheduled time, in whole seconds, wherever it appears', () => {
    const input = { job: 'cutoff', scheduledTime: '<aws.scheduler.scheduled-time>', nested: { at: 'at <aws.scheduler.scheduled-time>' } };
    expect(scheduledInput(input, new Date('2026-11-25T15:00:00.123Z'))).toEqual({
      job: 'cutoff',
      scheduledTime: '2026-11-25T15:00:00Z',
      nested: { at: 'at 2026-11-25T15:00:00Z' },
    });
  });

  test('leaves an input without the placeholder as it is, and sends {} for none', () => {
    expect(scheduledInput({ job: 'payouts' }, new Date())).toEqual({ job: 'payouts' });
    expect(scheduledInput(undefined, new Date())).toEqual({});
  });
});
