import { referencePrice } from './reference-price';

const opened = new Date('2026-11-30T10:00:00.000Z');
const paid = (unitPriceFen: number, at: string) => ({ unitPriceFen, firstPaidAt: at, lastPaidAt: at });

test('only a higher price paid in the 7 days before the opening backs a 划线价, and then the lowest such one', () => {
  expect(referencePrice([], 1000, opened)).toBeUndefined();
  expect(referencePrice([paid(1000, '2026-11-29T10:00:00.000Z'), paid(900, '2026-11-29T10:00:00.000Z')], 1000, opened)).toBeUndefined();
  expect(referencePrice([paid(1500, '2026-11-23T09:59:59.000Z')], 1000, opened)).toBeUndefined();
  expect(referencePrice([paid(1500, '2026-11-30T10:00:00.000Z')], 1000, opened)).toBeUndefined();
  expect(
    referencePrice(
      [paid(1500, '2026-11-23T10:00:00.000Z'), paid(1200, '2026-11-30T09:59:59.000Z'), paid(1100, '2026-11-20T00:00:00.000Z')],
      1000,
      opened,
    ),
  ).toBe(1200);
});
