// Pickup points: the per-point, per-date sorting sheet (kept from the order stream), and the leader's
// confirmation that a resident collected their goods.
import type { Order } from '../../schemas/orders';
import type { SheetLine } from '../../schemas/pickups';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { conflict, forbidden, notFound } from '../runtime/errors';
import { businessDate } from '../runtime/time';
import type { LeaderStore } from '../leaders/leaders';
import { maskName, maskPhone } from '../orders/privacy';
import { transitioned, withFreshOrder } from '../orders/changes';
import type { OrderStore } from '../orders/ports';

export interface PickupStore {
  /** Writes the line unless the stored one is as new or newer (duplicates, out-of-order records). */
  upsertSheetLine(line: SheetLine): Promise<'written' | 'stale'>;
  sheetLines(leaderId: string, date: string): Promise<SheetLine[]>;
  orderIdForCode(leaderId: string, date: string, code: string): Promise<string | undefined>;
}

export interface PickupDeps {
  pickups: PickupStore;
  orders: OrderStore;
  /** Only who the caller leads is read here. */
  leaders: Pick<LeaderStore, 'getByUser'>;
  clock: Clock;
}

/** The sheet line of an order that has a pickup code; none for orders that never reached pickup. */
export function sheetLineOf(order: Order): SheetLine | undefined {
  if (!order.pickupCode) return undefined;
  return {
    leaderId: order.leaderId,
    date: order.pickupDate,
    orderId: order.orderId,
    pickupCode: order.pickupCode,
    contactName: order.contactName,
    contactPhone: order.contactPhone,
    status: order.status,
    // Units a shortfall took will not arrive: the sheet hands out the rest (a line wholly short leaves it).
    items: order.items
      .map((l) => ({ productId: l.productId, name: l.name, unit: l.unit, quantity: l.quantity - (l.shortQuantity ?? 0) }))
      .filter((l) => l.quantity > 0),
    orderVersion: order.version,
  };
}

/** What still has to be handed out (or was): refunded orders leave the totals. */
const COUNTED = new Set(['ready_for_pickup', 'picked_up']);

export async function pickupSheet(deps: PickupDeps, principal: Principal, leaderId: string, date: string) {
  const operator = isOperator(principal);
  if (!operator) {
    const own = await deps.leaders.getByUser(principal.userId);
    if (!own || own.leaderId !== leaderId) throw forbidden('Only that pickup point’s leader or an operator');
  }
  const lines = (await deps.pickups.sheetLines(leaderId, date)).sort((a, b) => a.pickupCode.localeCompare(b.pickupCode));
  const totals = new Map<string, { productId: string; name: string; unit: string; quantity: number }>();
  for (const line of lines) {
    if (!COUNTED.has(line.status)) continue;
    for (const item of line.items) {
      const t = totals.get(item.productId) ?? { productId: item.productId, name: item.name, unit: item.unit, quantity: 0 };
      t.quantity += item.quantity;
      totals.set(item.productId, t);
    }
  }
  return {
    leaderId,
    date,
    totals: [...totals.values()].sort((a, b) => a.name.localeCompare(b.name)),
    orders: lines.map((l) => ({
      orderId: l.orderId,
      pickupCode: l.pickupCode,
      contactName: operator ? l.contactName : maskName(l.contactName),
      contactPhone: operator ? l.contactPhone : maskPhone(l.contactPhone),
      items: l.items,
      status: l.status,
    })),
  };
}

/** The leader hands the goods over: an unknown code is 404, one already used 409. */
export async function confirmPickup(deps: PickupDeps, principal: Principal, pickupCode: string, date?: string): Promise<Order> {
  const leader = await deps.leaders.getByUser(principal.userId);
  if (!leader || (leader.status !== 'active' && leader.status !== 'suspended'))
    throw forbidden('Only a pickup point’s leader confirms pickups');
  const day = date ?? businessDate(deps.clock.now());
  const orderId = await deps.pickups.orderIdForCode(leader.leaderId, day, pickupCode);
  if (!orderId) throw notFound('Pickup code');
  return withFreshOrder(deps.orders, orderId, async (order) => {
    if (order.status === 'picked_up') throw conflict('This pickup code has already been used');
    if (order.status !== 'ready_for_pickup') throw conflict(`The order is ${order.status}`);
    const at = deps.clock.now().toISOString();
    const after: Order = { ...transitioned(order, 'pickup', at), pickedUpAt: at };
    const outcome = await deps.orders.change({
      before: order,
      after,
      audit: { entityId: order.orderId, entityType: 'order', action: 'order.picked_up', actor: principal.userId, at, before: order, after },
    });
    return outcome === 'changed' ? after : 'stale';
  });
}
