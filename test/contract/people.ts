// What the people suites (customer book, reviews, notifications) start from on either store: an active leader
// with a pickup point, as the leaders' store keeps it, and an order's images through its life.
import type { Leader } from '../../schemas/leaders';
import type { Order } from '../../schemas/orders';
import type { CloudBaseStandIn } from '../cloudbase/standin';
import { APPLES, openGroupBuyRecord, pendingOrder } from '../support/seeds';

export const AT = '2026-11-20T02:00:00.000Z';

/** An active leader of 幸福小区 (approved on `AT`), their user `u-<leaderId>`. */
export function activeLeader(leaderId: string): Leader {
  return {
    leaderId,
    userId: `u-${leaderId}`,
    name: '李团长',
    phone: '13900001111',
    pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
    status: 'active',
    referralCode: `R${leaderId}`,
    createdAt: AT,
    updatedAt: AT,
    approvedAt: AT,
    version: 1,
  };
}

/**
 * A paid order of `quantity` bags of apples at `leaderId`'s pickup point, placed at `placedAt` by `userId`, with
 * its later images: `next(over)` gives the image after one more write (the version moved on).
 */
export function paidOrder(o: {
  orderId: string;
  userId: string;
  leaderId: string;
  groupBuyId?: string;
  placedAt: string;
  quantity?: number;
}) {
  const groupBuy = openGroupBuyRecord(
    {
      groupBuyId: o.groupBuyId ?? 'GB1',
      leaderId: o.leaderId,
      cutoffAt: '2026-12-31T10:00:00.000Z',
      pickupDate: '2027-01-01',
      items: [APPLES],
    },
    AT,
  );
  const pending = pendingOrder(groupBuy, [{ productId: 'apple', quantity: o.quantity ?? 1 }], {
    orderId: o.orderId,
    userId: o.userId,
    at: o.placedAt,
    expiresAt: new Date(Date.parse(o.placedAt) + 15 * 60_000).toISOString(),
  });
  const paid: Order = { ...pending, status: 'paid', paidAt: o.placedAt, updatedAt: o.placedAt, version: 2 };
  return { groupBuy, paid, next: (before: Order, over: Partial<Order>): Order => ({ ...before, ...over, version: before.version + 1 }) };
}

/** The actions of an entity's audit records in the stand-in's database, oldest first. */
export const auditActions = (standIn: CloudBaseStandIn, entityId: string) =>
  standIn
    .documents('audit')
    .filter((d) => d.entityId === entityId)
    .map((d) => d.action);
