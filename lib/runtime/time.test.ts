// Business time is Asia/Shanghai (UTC+8, no daylight saving); storage is UTC.
import { addDays, addHours, addMinutes, businessDate, endOfBusinessDate, toBusinessIso } from './time';

test('the business date turns over at 16:00 UTC (midnight in Shanghai)', () => {
  expect(businessDate(new Date('2026-11-23T15:59:59.999Z'))).toBe('2026-11-23');
  expect(businessDate(new Date('2026-11-23T16:00:00.000Z'))).toBe('2026-11-24');
  expect(businessDate(new Date('2026-12-31T16:00:00.000Z'))).toBe('2027-01-01');
});

test('a business date ends at 16:00 UTC of the same UTC date', () => {
  expect(endOfBusinessDate('2026-11-23').toISOString()).toBe('2026-11-23T16:00:00.000Z');
  expect(endOfBusinessDate('2026-12-31').toISOString()).toBe('2026-12-31T16:00:00.000Z');
  // The end is the first instant of the next business date.
  expect(businessDate(endOfBusinessDate('2026-11-23'))).toBe('2026-11-24');
  expect(businessDate(new Date(endOfBusinessDate('2026-11-23').getTime() - 1))).toBe('2026-11-23');
});

test('API times carry the +08:00 offset and name the same instant', () => {
  expect(toBusinessIso('2026-11-23T15:00:00.000Z')).toBe('2026-11-23T23:00:00.000+08:00');
  expect(toBusinessIso(new Date('2026-11-23T16:30:00Z'))).toBe('2026-11-24T00:30:00.000+08:00');
  const at = '2026-11-23T15:00:00.000Z';
  expect(Date.parse(toBusinessIso(at))).toBe(Date.parse(at));
});

test('adding minutes, hours and days is exact arithmetic on the instant', () => {
  const at = new Date('2026-11-23T15:00:00.000Z');
  expect(addMinutes(at, 15).toISOString()).toBe('2026-11-23T15:15:00.000Z');
  expect(addHours(at, 48).toISOString()).toBe('2026-11-25T15:00:00.000Z');
  expect(addDays(at, 7).toISOString()).toBe('2026-11-30T15:00:00.000Z');
});
