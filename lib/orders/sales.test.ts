import type { Order } from '../../schemas/orders';
import { leaderSalesDelta, soldDeltas } from './sales';

const line = (productId: string, quantity: number, refundedFen = 0) => ({
  productId,
  name: productId,
  unit: '份',
  quantity,
  unitPriceFen: 100,
  amountFen: quantity * 100,
  refundedFen,
  commissionRateBps: 0,
  supplyPriceFen: 50,
  supplierId: 's',
  stockLimited: false,
  residentLimited: false,
});
const order = (status: Order['status'], items = [line('a', 2), line('b', 1)], extra: Partial<Order> = {}) =>
  ({ status, items, totalFen: 300, refundedFen: 0, ...extra }) as unknown as Order;

test('sold counts move only with paid orders; a line refunded in full stops counting', () => {
  expect(soldDeltas(order('pending_payment'), order('pending_payment'))).toEqual([]);
  expect(soldDeltas(order('pending_payment'), order('paid'))).toEqual([
    { productId: 'a', quantity: 2, orders: 1 },
    { productId: 'b', quantity: 1, orders: 1 },
  ]);
  expect(soldDeltas(order('paid'), order('ready_for_pickup'))).toEqual([]);
  expect(soldDeltas(order('picked_up'), order('picked_up', [line('a', 2), line('b', 1, 100)]))).toEqual([
    { productId: 'b', quantity: -1, orders: -1 },
  ]);
  expect(soldDeltas(order('paid'), order('cancelled'))).toEqual([
    { productId: 'a', quantity: -2, orders: -1 },
    { productId: 'b', quantity: -1, orders: -1 },
  ]);
});

test('a leader’s sales are filed under the paid date, refunds too', () => {
  const paidAt = '2026-11-29T17:00:00.000Z'; // 01:00 on the 30th in Shanghai
  expect(leaderSalesDelta(order('pending_payment'), order('paid', undefined, { paidAt }))).toEqual({
    date: '2026-11-30',
    paidFen: 300,
    refundedFen: 0,
  });
  expect(leaderSalesDelta(order('paid', undefined, { paidAt }), order('paid', undefined, { paidAt, refundedFen: 120 }))).toEqual({
    date: '2026-11-30',
    paidFen: 0,
    refundedFen: 120,
  });
  expect(leaderSalesDelta(order('pending_payment'), order('cancelled'))).toBeUndefined();
});
