import { changedFields, sameValue } from './audit-diff';

const paid = {
  orderId: 'o-1',
  userId: 'u-1',
  status: 'paid',
  items: [{ productId: 'p-1', quantity: 2, refundedFen: 0 }],
  totalFen: 2400,
  refundedFen: 0,
  contactName: '张三',
  updatedAt: '2026-12-01T14:00:00.000Z',
  version: 2,
};

test('an order made ready keeps only what changed, and in `after` the identifiers that say which order', () => {
  const ready = { ...paid, status: 'ready_for_pickup', pickupCode: '042917', updatedAt: '2026-12-01T15:00:00.000Z', version: 3 };
  expect(changedFields(paid, ready)).toEqual({
    before: { status: 'paid', updatedAt: '2026-12-01T14:00:00.000Z', version: 2 },
    after: {
      orderId: 'o-1',
      userId: 'u-1',
      status: 'ready_for_pickup',
      updatedAt: '2026-12-01T15:00:00.000Z',
      version: 3,
      pickupCode: '042917',
    },
  });
});

test('a field removed is only in `before`; a changed list or map is kept whole on both sides', () => {
  const { contactName: _gone, ...rest } = paid;
  const refunded = { ...rest, items: [{ productId: 'p-1', quantity: 2, refundedFen: 2400 }], refundedFen: 2400 };
  expect(changedFields(paid, refunded)).toEqual({
    before: { contactName: '张三', items: paid.items, refundedFen: 0 },
    after: { orderId: 'o-1', userId: 'u-1', items: refunded.items, refundedFen: 2400 },
  });
});

test('a refund audited under its order still names the refund', () => {
  const requested = { refundId: 'o-1-group-failed', orderId: 'o-1', amountFen: 2400, status: 'requested' };
  expect(changedFields(requested, { ...requested, status: 'succeeded', completedAt: 't' })).toEqual({
    before: { status: 'requested' },
    after: { refundId: 'o-1-group-failed', orderId: 'o-1', status: 'succeeded', completedAt: 't' },
  });
});

test('a creation or a removal keeps its one image whole; images that are not objects are kept as they are', () => {
  expect(changedFields(undefined, paid)).toEqual({ after: paid });
  expect(changedFields(paid, undefined)).toEqual({ before: paid });
  expect(changedFields(undefined, undefined)).toEqual({});
  expect(changedFields(['a'], ['b'])).toEqual({ before: ['a'], after: ['b'] });
  expect(changedFields('open', 'closing')).toEqual({ before: 'open', after: 'closing' });
});

test('equal values are equal whatever the order of their keys; a missing field differs from a present one', () => {
  expect(sameValue({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
  expect(sameValue({ a: 1 }, { a: 1, b: 0 })).toBe(false);
  expect(sameValue([1, 2], [2, 1])).toBe(false);
  expect(sameValue(null, undefined)).toBe(false);
  expect(sameValue(0, '0')).toBe(false);
});
