// Fires scheduled functions on their serverless.yml schedules, in their time zone (Asia/Shanghai), with
// the input EventBridge Scheduler would send. AWS cron has six fields (min hour day month weekday year)
// and numbers weekdays 1–7 from Sunday; croner takes five fields and 0–6.
import { Cron } from 'croner';

export interface ScheduledJob {
  functionName: string;
  expression: string;
  timezone: string;
  input: unknown;
  handler: (event: unknown) => Promise<unknown>;
}

export function awsCronToCroner(expression: string): string {
  const cron = expression.match(/^cron\((.+)\)$/);
  if (!cron) throw new Error(`Not a cron expression: ${expression}`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`AWS cron needs 6 fields: ${expression}`);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  // Shift weekday numbers only: not the n of `6#3` (third Friday) nor the step of `1/2`.
  const weekday = dow.replace(/(?<![#/\d])\d+/g, (n) => String(Number(n) - 1));
  return [minute, hour, dom === '?' ? '*' : dom, month, weekday === '?' ? '*' : weekday].join(' ');
}

export function rateToMs(expression: string): number | undefined {
  const rate = expression.match(/^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/);
  if (!rate) return undefined;
  const unit = rate[2]!.startsWith('minute') ? 60_000 : rate[2]!.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(rate[1]) * unit;
}

/** The input with EventBridge Scheduler's context attributes filled in. */
export function scheduledInput(input: unknown, scheduledTime: Date): unknown {
  return JSON.parse(
    JSON.stringify(input ?? {}).replaceAll('<aws.scheduler.scheduled-time>', scheduledTime.toISOString().replace(/\.\d{3}Z$/, 'Z')),
  );
}

export function nextRun(job: Pick<ScheduledJob, 'expression' | 'timezone'>, after = new Date()): Date | undefined {
  const every = rateToMs(job.expression);
  if (every) return new Date(after.getTime() + every);
  return new Cron(awsCronToCroner(job.expression), { timezone: job.timezone }).nextRun(after) ?? undefined;
}

export class Scheduler {
  private timers: { stop(): void }[] = [];
  /** Jobs running now: stop() waits for them, so nothing runs on after the stack is gone. */
  private readonly inFlight = new Set<Promise<void>>();
  running = false;

  constructor(private readonly jobs: ScheduledJob[]) {}

  start(): void {
    for (const job of this.jobs) {
      const run = async (at: Date) => {
        try {
          console.log(`[schedule] ${job.functionName} (${job.expression} ${job.timezone})`);
          const result = await job.handler(scheduledInput(job.input, at));
          console.log(`[schedule] ${job.functionName} → ${JSON.stringify(result)}`);
        } catch (err) {
          // Scheduler would retry; our jobs are safe to run twice, and run again at their next time.
          console.error(`[schedule] ${job.functionName} failed:`, err);
        }
      };
      const fire = (at: Date) => {
        const running = run(at).finally(() => this.inFlight.delete(running));
        this.inFlight.add(running);
        return running;
      };
      const every = rateToMs(job.expression);
      if (every) {
        // A rate schedule runs when it is created, then every period (as EventBridge Scheduler's does).
        const first = setTimeout(() => void fire(new Date()), 0);
        const timer = setInterval(() => void fire(new Date()), every);
        this.timers.push({ stop: () => (clearTimeout(first), clearInterval(timer)) });
      } else {
        const cron = new Cron(awsCronToCroner(job.expression), { timezone: job.timezone, protect: true }, () => void fire(new Date()));
        this.timers.push({ stop: () => cron.stop() });
      }
    }
    this.running = true;
  }

  /** Fires a function's schedule now, as EventBridge Scheduler would at its time (tests, operators). */
  async runNow(functionName: string): Promise<void> {
    const job = this.jobs.find((j) => j.functionName === functionName);
    if (!job) throw new Error(`No schedule fires ${functionName}`);
    await job.handler(scheduledInput(job.input, new Date()));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) t.stop();
    this.timers = [];
    this.running = false;
    await Promise.all(this.inFlight);
  }
}
