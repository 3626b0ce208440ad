// The order state machine: exactly the transitions of ORDER_TRANSITIONS, everything else a 409 CONFLICT.
import { ORDER_STATUSES } from '../../schemas/orders';
import { AppError } from '../runtime/errors';
import type { OrderEvent } from './status';
import { canTransition, HOLDS_STOCK, nextOrderStatus } from './status';

// What SPEC.md says each event does, written out independently of the table under test: every
// (event, status) pair not listed here must be refused.
const SPEC: Record<OrderEvent, string> = {
  pay: 'pending_payment→paid',
  expire: 'pending_payment→expired',
  cancel: 'pending_payment→cancelled paid→cancelled',
  close: 'paid→ready_for_pickup pending_payment→cancelled',
  fail: 'paid→refunded pending_payment→cancelled',
  pickup: 'ready_for_pickup→picked_up',
  refundAll: 'paid→refunded ready_for_pickup→refunded picked_up→refunded',
};
const events = Object.keys(SPEC) as OrderEvent[];

test.each(events)('%s moves exactly the statuses SPEC.md names, and refuses every other with 409 CONFLICT', (event) => {
  const moves: string[] = [];
  for (const from of ORDER_STATUSES) {
    try {
      moves.push(`${from}→${nextOrderStatus(from, event)}`);
      expect(canTransition(from, event)).toBe(true);
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ code: 'CONFLICT', status: 409 });
      expect(canTransition(from, event)).toBe(false);
    }
  }
  expect(moves.sort()).toEqual(SPEC[event].split(' ').sort());
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
