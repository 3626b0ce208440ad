// Issue 15's targets read off a bench report: met exactly at the bound, not met past it or when a check failed.
import type { CostResult } from './cost';
import type { CutoffResult } from './cutoff';
import type { OrdersResult } from './orders';
import type { PurchaseOrdersResult } from './purchase-orders';
import { issue15Targets } from './targets';

const orders = (wcuPerOrder: number, floorThroughputRatio: number, readsPerOrder = 0) =>
  ({
    requestsPerOrder: { total: 1 + readsPerOrder, byCommand: {} },
    transactWriteItemsPerOrder: 1,
    readsPerOrder,
    wcuPerOrder,
    overhead: { p50Ratio: 1, throughputRatio: 1, floorP50Ratio: 1, floorThroughputRatio, bareFloorThroughputRatio: floorThroughputRatio },
  }) as unknown as OrdersResult;
const cutoff = (wcu: number[], exact = true) =>
  ({ bySize: wcu.map((wcuPerOrder) => ({ wcuPerOrder })), checks: { everyOrderClosedExactlyOnce: exact } }) as unknown as CutoffResult;
const purchaseOrders = (wcu: number[]) =>
  ({
    bySize: wcu.map((wcuPerOrder) => ({ wcuPerOrder })),
    checks: { everyPurchaseOrderEqualsItsOrders: true },
  }) as unknown as PurchaseOrdersResult;
const cost = (unmeasured: string[]) => ({ unmeasured, total: { usd: 0.05 } }) as unknown as CostResult;
const met = (targets: ReturnType<typeof issue15Targets>) => Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, t.met]));

test('each target is met at its bound and not past it', () => {
  expect(
    met(
      issue15Targets({
        orders: orders(10, 1.25),
        ordersUnlimited: orders(9, 1.25),
        cutoff: cutoff([6, 5.9]),
        purchaseOrders: purchaseOrders([3]),
        cost: cost([]),
      }),
    ),
  ).toEqual({
    'orders: requests per order, warm': true,
    'orders: WCU per 2-line order': true,
    'orders: throughput, floor over platform': true,
    'orders: throughput, floor over platform, no per-resident limit': true,
    'cutoff: WCU per order closed': true,
    'purchase orders: WCU per order consolidated': true,
    'cost: 1,000 orders end to end, every step': true,
  });
  expect(
    met(
      issue15Targets({
        orders: orders(11, 1.26, 1),
        ordersUnlimited: orders(9, 1.26),
        cutoff: cutoff([5, 6.1]),
        purchaseOrders: purchaseOrders([2.9, 3.01]),
        cost: cost(['payment']),
      }),
    ),
  ).toEqual({
    'orders: requests per order, warm': false,
    'orders: WCU per 2-line order': false,
    'orders: throughput, floor over platform': false,
    'orders: throughput, floor over platform, no per-resident limit': false,
    'cutoff: WCU per order closed': false,
    'purchase orders: WCU per order consolidated': false,
    'cost: 1,000 orders end to end, every step': false,
  });
});

test('a closing that was not exact meets no target, however cheap', () => {
  expect(issue15Targets({ cutoff: cutoff([4], false) })['cutoff: WCU per order closed']).toMatchObject({ now: 4, met: false });
});

test("the limited order's throughput says how much of it the bare transaction already costs", () => {
  const limited = {
    ...orders(9, 1.33),
    overhead: { p50Ratio: 1, throughputRatio: 1.05, floorP50Ratio: 1, floorThroughputRatio: 1.33, bareFloorThroughputRatio: 1.27 },
  };
  expect(issue15Targets({ orders: limited })['orders: throughput, floor over platform']).toMatchObject({
    now: 1.33,
    met: false,
    why: expect.stringContaining('1.27x the floor, the platform 1.05x'),
  });
});
