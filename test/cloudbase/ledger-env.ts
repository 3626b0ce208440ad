// What the tests of the ledger group's CloudBase entries start from (once the stand-in of `useFunctionStandIn()`
// runs): a leader written as the leaders function keeps it, a picked-up order booked on the ledger, bearer tokens
// of the stage, and the HTTP access samples of events/cloudbase/ with a token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Leader } from '../../schemas/leaders';
import type { Order } from '../../schemas/orders';
import type { CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import type { CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';
import { leaderRecord, pickedUpOrder } from '../contract/ledger-stores';
import { standInDb } from './function-env';
import type { CloudBaseStandIn } from './standin';

export const sample = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8')) as CloudBaseHttpEvent;
export const timer = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/timer.json'), 'utf8')) as CloudBaseTimerEvent;

/** A sample event sent with this bearer token, with its path and query replaced where given. */
export function withToken(event: CloudBaseHttpEvent, token: string, patch: Partial<CloudBaseHttpEvent> = {}): CloudBaseHttpEvent {
  return { ...event, ...patch, headers: { ...event.headers, authorization: `Bearer ${token}` } };
}

export async function tokenOf(userId: string, roles: ('operator' | 'supplier')[] = []): Promise<string> {
  const { stageIdentity } = await import('../../lib/runtime/auth');
  return stageIdentity.issue({ userId, roles });
}

/** An active leader in the `leaders` collection, as the leaders function keeps it. */
export async function seedLeader(standIn: CloudBaseStandIn, overrides: Partial<Leader> = {}): Promise<Leader> {
  const leader = leaderRecord(overrides);
  const db = await standInDb(standIn);
  await db
    .collection('leaders')
    .doc(leader.leaderId)
    .set({ ...leader });
  return leader;
}

/**
 * An order of the leader picked up `hoursAgo` hours ago (apples 10 000 fen at 10 %, rice 4 000 at 5 %: 1 200 fen
 * of commission), in the `orders` collection and booked on the ledger through the production wiring.
 */
export async function bookedOrder(standIn: CloudBaseStandIn, leaderId: string, hoursAgo: number, overrides: Partial<Order> = {}) {
  const at = new Date(Date.now() - hoursAgo * 3600_000).toISOString();
  const order = pickedUpOrder(leaderId, { pickedUpAt: at, paidAt: at, ...overrides });
  const db = await standInDb(standIn);
  await db
    .collection('orders')
    .doc(order.orderId)
    .set({ ...order });
  const { commissionDeps } = await import('../../lib/commissions/wiring');
  const { bookOrderCommissions } = await import('../../lib/commissions/commissions');
  await bookOrderCommissions(commissionDeps(), order);
  return order;
}
