// Reading an order: who may, and what each reader sees (a leader and an operator see masked contacts).
import type { Order } from '../../schemas/orders';
import type { OrderView } from '../../schemas/views';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import { notFound } from '../runtime/errors';
import { toBusinessIso } from '../runtime/time';
import { maskName, maskPhone } from './privacy';
import type { OrderDeps } from './ports';

type Viewer = 'owner' | 'leader' | 'operator';

/** Who may read an order: its resident, that pickup point's leader, operators. Others get 404. */
export async function readOrder(
  deps: Pick<OrderDeps, 'orders' | 'leaderIdOf'>,
  principal: Principal,
  orderId: string,
): Promise<{ order: Order; viewer: Viewer }> {
  const order = await deps.orders.get(orderId);
  if (order) {
    if (isOperator(principal)) return { order, viewer: 'operator' };
    if (order.userId === principal.userId) return { order, viewer: 'owner' };
    if ((await deps.leaderIdOf(principal.userId)) === order.leaderId) return { order, viewer: 'leader' };
  }
  // Not revealing whether an order the caller may not see exists.
  throw notFound('Order');
}

export function orderView(order: Order, viewer: Viewer = 'owner'): OrderView {
  const masked = viewer === 'leader';
  return {
    orderId: order.orderId,
    status: order.status,
    groupBuyId: order.groupBuyId,
    leaderId: order.leaderId,
    totalFen: order.totalFen,
    refundedFen: order.refundedFen,
    items: order.items.map((l) => ({
      productId: l.productId,
      name: l.name,
      unit: l.unit,
      quantity: l.quantity,
      unitPriceFen: l.unitPriceFen,
      amountFen: l.amountFen,
      refundedFen: l.refundedFen,
      // Units the supplier reported short (refunded): the resident collects the rest.
      ...(l.shortQuantity ? { shortQuantity: l.shortQuantity } : {}),
    })),
    ...(order.pickupCode ? { pickupCode: order.pickupCode } : {}),
    pickupDate: order.pickupDate,
    contactName: masked ? maskName(order.contactName) : order.contactName,
    contactPhone: masked ? maskPhone(order.contactPhone) : order.contactPhone,
    ...(order.note ? { note: order.note } : {}),
    createdAt: toBusinessIso(order.createdAt),
    expiresAt: toBusinessIso(order.expiresAt),
    ...(order.paidAt ? { paidAt: toBusinessIso(order.paidAt) } : {}),
    ...(order.pickedUpAt ? { pickedUpAt: toBusinessIso(order.pickedUpAt) } : {}),
    ...(order.uncollectedAt ? { uncollectedAt: toBusinessIso(order.uncollectedAt) } : {}),
  };
}
