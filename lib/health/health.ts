// Whether the platform can serve: the store answers, and every registered part of the stack is running.
import { notReady } from '../runtime/readiness';

export interface StoreProbe {
  /** Resolves once the store answered a read; rejects when it cannot be reached. */
  ping(): Promise<void>;
}

export interface HealthDeps {
  store: StoreProbe;
}

export async function health(deps: HealthDeps): Promise<{ ok: true } | { ok: false; waiting: string[] }> {
  const waiting = notReady();
  try {
    await deps.store.ping();
  } catch {
    waiting.push('store');
  }
  return waiting.length === 0 ? { ok: true } : { ok: false, waiting };
}
