// What `POST /jobs/cutoff` reports: it begins the cutoff as the schedule does, then waits (a bounded
// time) for the stream-driven closing of the group buys it began (where no stream drives it, advancing
// them itself), and counts what happened to them.
import type { CutoffDeps } from './cutoff';
import { advanceClosing, runCutoff } from './cutoff';

export interface CutoffReport {
  closed: number;
  failed: number;
  ordersCancelled: number;
  /** Group buys whose closing was still running when the report was made. */
  inProgress: number;
}

export async function runCutoffAndReport(deps: CutoffDeps, options: { waitMs: number; pollMs?: number }): Promise<CutoffReport> {
  // The wait counts from the start: beginning a city's worth of group buys (hundreds at 23:00) can take
  // seconds of its own, and the HTTP call must answer within its limit; what is left goes on by itself
  // (the stream closes what was begun; the next run begins the rest) and is reported as in progress.
  const deadline = Date.now() + options.waitMs;
  const { begun } = await runCutoff(deps, { hasTime: () => Date.now() < deadline });
  for (;;) {
    const groupBuys = await Promise.all(begun.map((id) => deps.cutoff.get(id)));
    const pending = groupBuys.filter((gb) => gb?.status === 'closing').length;
    if (pending === 0 || Date.now() >= deadline) {
      return {
        closed: groupBuys.filter((gb) => gb?.status === 'closed').length,
        failed: groupBuys.filter((gb) => gb?.status === 'failed').length,
        ordersCancelled: groupBuys.reduce((n, gb) => n + (gb?.closeStats?.ordersCancelled ?? 0), 0),
        inProgress: pending,
      };
    }
    if (deps.advanceWhileWaiting) {
      // Idempotent at every step: running beside the consumer's own call changes nothing it would not.
      const closing = groupBuys.filter((gb) => gb?.status === 'closing').map((gb) => gb!.groupBuyId);
      for (const id of closing) await advanceClosing(deps, id, { hasTime: () => Date.now() < deadline });
    } else await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}
