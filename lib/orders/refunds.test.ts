import type { OrderLine } from '../../schemas/orders';
import { AppError } from '../runtime/errors';
import { allocateRefund } from './refunds';

const line = (productId: string, amountFen: number, refundedFen = 0): OrderLine => ({
  productId,
  supplierId: 's',
  name: productId,
  unit: '份',
  quantity: 1,
  unitPriceFen: amountFen,
  amountFen,
  supplyPriceFen: 1,
  commissionRateBps: 1000,
  refundedFen,
  stockLimited: false,
  residentLimited: false,
});

test('a refund is allocated to the lines in their order, each up to what remains of it', () => {
  expect(allocateRefund([line('a', 500, 200), line('b', 1000), line('c', 300)], 900)).toEqual([
    { productId: 'a', amountFen: 300 },
    { productId: 'b', amountFen: 600 },
  ]);
});

test('a fully refunded line is skipped', () => {
  expect(allocateRefund([line('a', 500, 500), line('b', 1000)], 1000)).toEqual([{ productId: 'b', amountFen: 1000 }]);
});

test('more than remains refundable is a CONFLICT', () => {
  expect(() => allocateRefund([line('a', 500, 100)], 401)).toThrow(AppError);
  try {
    allocateRefund([line('a', 500, 100)], 401);
  } catch (err) {
    expect((err as AppError).code).toBe('CONFLICT');
  }
});
