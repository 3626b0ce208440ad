// Records written straight to a store, as the platform writes them, by the tests and benches that need
// them where the API does not reach (a CloudBase stand-in, a contract run on both stores) or in numbers
// that placing each through the API would cost more than what they measure.
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order, OrderLine, PlaceOrderBody } from '../../schemas/orders';
import { newOrder } from '../../lib/orders/pricing';

/** Apples at 12.00 a bag (8.00 supply, 10% commission), from supplier S1. */
export const APPLES = {
  productId: 'apple',
  supplierId: 'S1',
  name: '苹果',
  unit: '袋',
  supplyPriceFen: 800,
  groupPriceFen: 1200,
  commissionRateBps: 1000,
};

/** An open group buy as the store keeps it when it is opened at `at` (version 1), at a pickup point in 杭州. */
export function openGroupBuyRecord(
  groupBuy: Pick<GroupBuy, 'groupBuyId' | 'leaderId' | 'cutoffAt' | 'pickupDate' | 'items'>,
  at: string,
): GroupBuy {
  return {
    groupBuyId: groupBuy.groupBuyId,
    leaderId: groupBuy.leaderId,
    pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
    title: '周三团',
    cutoffAt: groupBuy.cutoffAt,
    pickupDate: groupBuy.pickupDate,
    status: 'open',
    items: groupBuy.items,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** An order of `items` from `groupBuy` as placing leaves it (pending payment, version 1, 张三's contact), placed at `at`. */
export function pendingOrder(
  groupBuy: GroupBuy,
  items: PlaceOrderBody['items'],
  order: { orderId: string; userId: string; at: string; expiresAt: string },
): Order {
  const body = { shareToken: 'seeded', items, contactName: '张三', contactPhone: '13812341234' };
  return newOrder(groupBuy, body, { ...order, leaderId: groupBuy.leaderId }).order;
}

/** The pickup date of `readyOrder()`'s orders; their cutoff was the evening before (Beijing time). */
export const PICKUP_DATE = '2026-12-03';

/** A line of `quantity` units sold at twice their supply price, 10 % commission, nothing refunded. */
export const orderLine = (productId: string, supplierId: string, quantity: number, supplyPriceFen: number): OrderLine => ({
  productId,
  supplierId,
  name: `产品 ${productId}`,
  unit: '份',
  quantity,
  unitPriceFen: supplyPriceFen * 2,
  amountFen: supplyPriceFen * 2 * quantity,
  supplyPriceFen,
  commissionRateBps: 1000,
  refundedFen: 0,
  stockLimited: false,
  residentLimited: false,
});

/**
 * An order of the leader's group buy `GB-<leaderId>` with a pickup code, for PICKUP_DATE, at `version`, as the
 * order store's images carry it (what the purchase orders consolidate).
 */
export function readyOrder(
  orderId: string,
  leaderId: string,
  version: number,
  items: OrderLine[],
  status: Order['status'] = 'ready_for_pickup',
): Order {
  return {
    orderId,
    userId: `u-${orderId}`,
    groupBuyId: `GB-${leaderId}`,
    leaderId,
    pickupDate: PICKUP_DATE,
    cutoffAt: '2026-12-02T15:00:00.000Z',
    status,
    items,
    totalFen: items.reduce((s, l) => s + l.amountFen, 0),
    refundedFen: 0,
    contactName: '王芳',
    contactPhone: '13812341234',
    createdAt: '2026-12-02T01:00:00.000Z',
    updatedAt: '2026-12-02T15:00:01.000Z',
    expiresAt: '2026-12-02T01:15:00.000Z',
    pickupCode: '204613',
    version,
  };
}
