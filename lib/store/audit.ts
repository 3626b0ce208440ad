// Audit records are written in the same transaction as the change they describe, so a change without
// its audit record (or the reverse) cannot exist. A record keeps what changed (lib/runtime/audit-diff.ts),
// not two whole images: the smaller record is 2 WCU in a transaction where two images of an order were 4.
// Four records of an order are not items of their own, each kept by an item its change writes once and
// never changes again (2 WCU saved per record; decisions.md, "Audit records kept by the items they explain"):
//  - its placement: the order item says it whole (placementRecord: who, when and the state it was placed in
//    never change), and the trail gives it back from the order;
//  - its payment: on the payment's record (`audit`), the order's `paymentId`;
//  - its pickup code at the cutoff: on the code's guard item (`audit`);
//  - its cancellation or refund by the closing: on the closing's tally item of it (`audit`).
import type { AuditEvent } from '../../schemas/common';
import { AuditEventSchema } from '../../schemas/common';
import type { Order } from '../../schemas/orders';
import { OrderSchema } from '../../schemas/orders';
import { DERIVED_ORDER_ID, placementRecord } from '../orders/pricing';
import { changedFields } from '../runtime/audit-diff';
import { ulid } from '../runtime/clock';
import type { Db } from './dynamo';
import { db, partitionOf, putIfNew, queryAll, readItem } from './dynamo';
import { keys } from './keys';

/** What an audit record says, without a key: who did what to which entity and when, and what changed. */
export function auditRecord(event: AuditEvent): Record<string, unknown> {
  const { before: _before, after: _after, ...rest } = event;
  return { ...rest, ...changedFields(event.before, event.after) };
}

/** A TransactWriteItems action that appends one audit record (of what changed between `before` and `after`). */
export function auditPut(event: AuditEvent) {
  return putIfNew({ ...keys.audit(event.entityId, event.at, ulid(Date.parse(event.at))), type: 'AUDIT', ...auditRecord(event) });
}

export async function auditTrail(entityId: string, client: Db = db()): Promise<AuditEvent[]> {
  const [items, order] = await Promise.all([
    queryAll(client, partitionOf(keys.auditPartition(entityId))),
    readItem(client, keys.order(entityId), (i) => OrderSchema.parse(i)),
  ]);
  const records = items.map((i) => AuditEventSchema.parse(i));
  if (!order) return records;
  const { placement, kept } = await keptWith(client, order, records);
  // Oldest first, as the records' own keys sort; the placement is an order's first record whatever the clocks said.
  const trail = [...placement, ...records];
  for (const record of kept) trail.splice(placeOf(trail, record), 0, record);
  return trail;
}

const statusOf = (image: unknown) => (image && typeof image === 'object' ? (image as { status?: unknown }).status : undefined);

/**
 * Where a record kept elsewhere goes in a trail: after every record of an earlier instant, and after the record
 * of its own instant that brought the order to the status it changed (clocks of one instant, as a test's fixed
 * clock, order causes before effects).
 */
function placeOf(trail: AuditEvent[], record: AuditEvent): number {
  let at = 0;
  trail.forEach((r, i) => {
    if (r.at < record.at || (r.at === record.at && r.entityType === 'order' && statusOf(r.after) === statusOf(record.before))) at = i + 1;
  });
  return at;
}

/** The records of an order that other items keep (see the top of this file). */
async function keptWith(client: Db, order: Order, records: AuditEvent[]) {
  // Derived ids since 2026-12-01; their placement has a record of its own only when the order did not say it whole.
  const own = !order.orderId.startsWith(DERIVED_ORDER_ID) || records.some((r) => r.action === 'order.placed');
  const placement = own ? [] : [placementRecord(order)];
  const kept: AuditEvent[] = [];
  // In the order of an order's life: a record inserted later goes after those of its instant it follows from.
  const holders = [
    ...(order.paymentId ? [keys.payment(order.paymentId)] : []),
    ...(order.pickupCode ? [keys.pickupCode(order.leaderId, order.pickupDate, order.pickupCode)] : []),
    keys.closeTally(order.groupBuyId, 'cancelled', order.orderId),
    keys.closeTally(order.groupBuyId, 'refunded', order.orderId),
  ];
  for (const item of await Promise.all(holders.map((key) => readItem(client, key)))) {
    // A payment, guard or tally written before it kept records has none (its record is an item of its own).
    if (item?.orderId === order.orderId && item.audit) kept.push(AuditEventSchema.parse(item.audit));
  }
  return { placement, kept };
}
