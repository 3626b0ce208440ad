// The order state machine: exactly the transitions of ORDER_TRANSITIONS, everything else a 409 CONFLICT.
import { ORDER_STATUSES, type OrderStatus } from '../../schemas/orders';
import { AppError } from '../runtime/errors';
import { canTransition, HOLDS_STOCK, nextOrderStatus, ORDER_TRANSITIONS, type OrderEvent } from './status';

const events = Object.keys(ORDER_TRANSITIONS) as OrderEvent[];
const allowed = events.flatMap((event) =>
  Object.entries(ORDER_TRANSITIONS[event]).map(([from, to]) => [event, from as OrderStatus, to as OrderStatus] as const),
);
const refused = events.flatMap((event) =>
  ORDER_STATUSES.filter((from) => ORDER_TRANSITIONS[event][from] === undefined).map((from) => [event, from] as const),
);

test('the table holds the transitions the business rules describe', () => {
  expect(ORDER_TRANSITIONS).toEqual({
    pay: { pending_payment: 'paid' },
    expire: { pending_payment: 'expired' },
    cancel: { pending_payment: 'cancelled', paid: 'cancelled' },
    close: { paid: 'ready_for_pickup', pending_payment: 'cancelled' },
    fail: { paid: 'refunded', pending_payment: 'cancelled' },
    pickup: { ready_for_pickup: 'picked_up' },
    refundAll: { paid: 'refunded', ready_for_pickup: 'refunded', picked_up: 'refunded' },
  });
});

test.each(allowed)('%s: %s → %s', (event, from, to) => {
  expect(canTransition(from, event)).toBe(true);
  expect(nextOrderStatus(from, event)).toBe(to);
});

test.each(refused)('%s is refused from %s with 409 CONFLICT', (event, from) => {
  expect(canTransition(from, event)).toBe(false);
  let error: unknown;
  try {
    nextOrderStatus(from, event);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code: 'CONFLICT', status: 409 });
});

test('a picked-up order cannot be cancelled, and the message says why', () => {
  expect(() => nextOrderStatus('picked_up', 'cancel')).toThrow(AppError);
  expect(() => nextOrderStatus('picked_up', 'cancel')).toThrow(/picked_up cannot cancel/);
  expect(() => nextOrderStatus('refunded', 'refundAll')).toThrow(/cannot be refunded/);
});

test('final statuses have no way out', () => {
  for (const final of ['expired', 'cancelled', 'refunded'] as const) {
    expect(events.filter((event) => canTransition(final, event))).toEqual([]);
  }
});

test('the live statuses hold stock; the final ones do not', () => {
  expect([...HOLDS_STOCK].sort()).toEqual(['paid', 'pending_payment', 'picked_up', 'ready_for_pickup']);
  for (const to of ['expired', 'cancelled', 'refunded'] as const) expect(HOLDS_STOCK).not.toContain(to);
});
