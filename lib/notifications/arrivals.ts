// Arrival (到货): the leader confirms that the goods of a pickup date have reached their pickup point
// (all of them, or the products named; confirmations add up). Each resident whose ready order's goods
// have all arrived is told once that they can collect, with their pickup code: one notice per order,
// its id derived from the order, so confirming again tells nobody twice. Bad input is refused before
// anything is written.
import type { ArrivalBody, Arrival } from '../../schemas/notifications';
import type { Order } from '../../schemas/orders';
import type { SheetLine } from '../../schemas/pickups';
import type { LeaderStore } from '../leaders/leaders';
import type { Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import type { ErrorDetail } from '../runtime/errors';
import { AppError, conflict, forbidden, validationError } from '../runtime/errors';
import type { ArrivalStore, NoticeStore } from './ports';
import { pickupReadyNotice } from './planning';

export interface ArrivalDeps {
  leaders: Pick<LeaderStore, 'getByUser'>;
  sheets: { sheetLines(leaderId: string, date: string): Promise<SheetLine[]> };
  orders: { get(orderId: string): Promise<Order | undefined> };
  arrivals: ArrivalStore;
  notices: Pick<NoticeStore, 'add'>;
  clock: Clock;
  site: string;
}

/** How many orders are read and told at once (a big pickup point has hundreds). */
const CONCURRENCY = 8;

/** The products an order still has to hand over: its lines not refunded in full. */
const productsDue = (order: Order) => order.items.filter((l) => l.refundedFen < l.amountFen).map((l) => l.productId);

/** Whether everything the order holds has arrived (pure). */
export function orderArrived(order: Order, arrival: Pick<Arrival, 'all' | 'productIds'>): boolean {
  if (arrival.all) return true;
  return productsDue(order).every((p) => arrival.productIds.includes(p));
}

async function eachLimited<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

export async function confirmArrival(
  deps: ArrivalDeps,
  principal: Principal,
  body: ArrivalBody,
): Promise<{ date: string; notified: number }> {
  const leader = await deps.leaders.getByUser(principal.userId);
  // A suspended leader still hands out what was paid for (as with pickups): their residents must hear.
  if (!leader || (leader.status !== 'active' && leader.status !== 'suspended'))
    throw forbidden('Only a pickup point’s leader confirms arrivals');

  const lines = await deps.sheets.sheetLines(leader.leaderId, body.date);
  if (lines.length === 0) throw validationError('date', 'your pickup point has no orders on that date');
  if (body.productIds) {
    const onSheet = new Set(lines.flatMap((l) => l.items.map((i) => i.productId)));
    const unknown: ErrorDetail[] = body.productIds.flatMap((id, i) =>
      onSheet.has(id) ? [] : [{ path: `productIds.${i}`, message: 'not on the pickup sheet of that date' }],
    );
    if (unknown.length) throw new AppError('VALIDATION_FAILED', unknown.map((d) => `${d.path}: ${d.message}`).join('; '), unknown);
  }

  const at = deps.clock.now().toISOString();
  let arrival: Arrival | undefined;
  for (let attempt = 0; !arrival; attempt++) {
    if (attempt >= 5) throw conflict('The arrival is being confirmed by another request; try again');
    const before = await deps.arrivals.get(leader.leaderId, body.date);
    const after: Arrival = {
      leaderId: leader.leaderId,
      date: body.date,
      all: (before?.all ?? false) || !body.productIds,
      productIds: [...new Set([...(before?.productIds ?? []), ...(body.productIds ?? [])])].sort(),
      confirmations: (before?.confirmations ?? 0) + 1,
      updatedAt: at,
      version: (before?.version ?? 0) + 1,
    };
    const saved = await deps.arrivals.save(before, after, {
      entityId: `${leader.leaderId}#${body.date}`,
      entityType: 'arrival',
      action: 'arrival.confirmed',
      actor: principal.userId,
      at,
      ...(before ? { before } : {}),
      after: { ...after, confirmed: body.productIds ?? 'all' },
    });
    if (saved === 'saved') arrival = after;
  }

  // Each order read afresh: the sheet follows the orders a moment behind.
  let notified = 0;
  const waiting = lines.filter((l) => l.status === 'ready_for_pickup');
  await eachLimited(waiting, async (line) => {
    const order = await deps.orders.get(line.orderId);
    if (!order || order.status !== 'ready_for_pickup' || !order.pickupCode || !orderArrived(order, arrival)) return;
    if (await deps.notices.add(pickupReadyNotice(order, leader.pickupPoint.name, deps.site, at))) notified++;
  });
  return { date: body.date, notified };
}
