// Money on both stores (DynamoDB Local, and CloudBase through its real SDK against the stand-in), through the
// real use-cases and the sandbox provider's own books: a payment notification delivered twice pays once; money
// that no order can take is recorded and refunded, never kept; a refund executed twice moves the money once;
// the uncollected-orders job refunds a ready order past its pickup window once, however often it runs.
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../../schemas/orders';
import { transitioned } from '../../lib/orders/changes';
import { cancelOrder, expireDueOrders } from '../../lib/orders/orders';
import { newOrder } from '../../lib/orders/pricing';
import { refundUncollected, uncollectedRefundId } from '../../lib/orders/uncollected';
import type { PaymentDeps } from '../../lib/payments/payments';
import { executeRefund, receivePayment } from '../../lib/payments/payments';
import type { SandboxLedger, SandboxProvider } from '../../lib/payments/sandbox';
import { sandboxPaymentProvider, SandboxRefundRefused } from '../../lib/payments/sandbox';
import { config } from '../../lib/runtime/config';
import { keys } from '../../lib/store/keys';
import { dynamoSandboxLedger } from '../../lib/store/sandbox-payments';
import { cloudbaseSandboxLedger } from '../../lib/adapters/cloudbase/sandbox-payments';
import { APPLES, openGroupBuyRecord } from '../support/seeds';
import type { ContractStores } from './stores';
import { ORDERING_BUILDERS, storeTargets } from './stores';

interface MoneyStores extends ContractStores {
  ledger: SandboxLedger;
  /** The refunds the sandbox provider took for a payment (its own books, read outside the port). */
  providerRefunds(paymentId: string): Promise<{ refundId: string; amountFen: number }[]>;
}

const TARGETS = storeTargets<Omit<MoneyStores, 'stop'>>({
  dynamodb: (client) => ({
    ...ORDERING_BUILDERS.dynamodb(client),
    ledger: dynamoSandboxLedger(client),
    async providerRefunds(paymentId) {
      const { pk } = keys.sandboxPayment(paymentId);
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: config.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :refund)',
          ExpressionAttributeValues: { ':pk': pk, ':refund': 'REFUND#' },
        }),
      );
      return Items.map((i) => ({ refundId: String(i.refundId), amountFen: Number(i.amountFen) }));
    },
  }),
  cloudbase: (db, standIn) => ({
    ...ORDERING_BUILDERS.cloudbase(db, standIn),
    ledger: cloudbaseSandboxLedger(db),
    async providerRefunds(paymentId) {
      return standIn
        .documents('sandboxRefunds')
        .filter((d) => d.paymentId === paymentId)
        .map((d) => ({ refundId: String(d.refundId), amountFen: Number(d.amountFen) }));
    },
  }),
});

const T0 = new Date('2026-11-18T02:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);

describe.each(TARGETS)('payments and refunds on $name', (target) => {
  let stores: MoneyStores;
  let now = T0;
  let provider: SandboxProvider;
  let deps: PaymentDeps;

  beforeAll(async () => {
    stores = await target.start();
    provider = sandboxPaymentProvider(
      () => 'contract-webhook-secret',
      stores.ledger,
      () => now,
    );
    deps = { orders: stores.orders, provider, identities: { openIdOf: async () => undefined }, clock: { now: () => now } };
  });
  afterAll(() => stores.stop());
  beforeEach(() => {
    now = T0;
  });

  /** An unpaid order of two bags of apples (5 in stock) from a group buy of its own, placed at T0. */
  async function placed(pickupDate = '2026-11-20'): Promise<Order> {
    const leaderId = `L-${randomUUID().slice(0, 8)}`;
    await stores.seedLeader(leaderId, 'active');
    const at = T0.toISOString();
    const groupBuy = openGroupBuyRecord(
      {
        groupBuyId: `GB-${randomUUID().slice(0, 8)}`,
        leaderId,
        cutoffAt: minutes(24 * 60).toISOString(),
        pickupDate,
        items: [{ ...APPLES, stockLimit: 5 }],
      },
      at,
    );
    const created = { entityId: groupBuy.groupBuyId, entityType: 'groupBuy', action: 'groupBuy.created', actor: leaderId, at };
    expect(await stores.groupBuys.create(groupBuy, created)).toBe('created');
    const body = { shareToken: 'seeded', items: [{ productId: 'apple', quantity: 2 }], contactName: '王芳', contactPhone: '13800138000' };
    const ids = {
      orderId: `o-${randomUUID()}`,
      userId: `u-${randomUUID().slice(0, 8)}`,
      leaderId,
      at,
      expiresAt: minutes(15).toISOString(),
    };
    const { order, reservations } = newOrder(groupBuy, body, ids);
    const audit = { entityId: order.orderId, entityType: 'order', action: 'order.placed', actor: order.userId, at, after: order };
    expect(await stores.orders.place({ order, reservations, audit, now: T0 })).toEqual({ kind: 'placed' });
    return order;
  }

  /** The resident pays `amountFen` at the sandbox; its signed notification, opened as the webhook opens it. */
  async function charge(orderId: string, amountFen: number, paymentId = `pay-${randomUUID()}`) {
    const notify = await provider.charge(orderId, amountFen, paymentId);
    return { paymentId, deliver: () => receivePayment(deps, provider.openPayment(notify.rawBody, notify.headers)) };
  }

  const actions = async (orderId: string) => (await stores.auditTrail(orderId)).map((e) => e.action);
  const remaining = async (order: Order) => (await stores.groupBuys.getWithStock(order.groupBuyId))!.stock.get('apple')?.remaining;

  it('a payment notification delivered twice, even at once, pays the order once', async () => {
    const order = await placed();
    now = minutes(5);
    const { paymentId, deliver } = await charge(order.orderId, order.totalFen);
    const outcomes = await Promise.all([deliver(), deliver()]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['paid', 'repeat']);
    expect((await deliver()).outcome).toBe('repeat');

    expect(await stores.orders.get(order.orderId)).toMatchObject({ status: 'paid', paymentId, version: 2, paidAt: now.toISOString() });
    expect(await stores.orders.getPayment(paymentId)).toEqual({
      paymentId,
      orderId: order.orderId,
      amountFen: order.totalFen,
      paidAt: now.toISOString(),
      outcome: 'applied',
    });
    expect(await stores.orders.listRefunds(order.orderId)).toEqual([]);
    expect(await actions(order.orderId)).toEqual(['order.placed', 'order.paid']);
  });

  it('money for an expired, a cancelled, an already paid or an unknown order is recorded and refunded in full, once', async () => {
    const [expired, cancelled, paid] = await Promise.all([placed(), placed(), placed()]);
    now = minutes(5);
    await cancelOrder(deps, { userId: cancelled.userId, roles: [] }, cancelled.orderId);
    expect((await (await charge(paid.orderId, paid.totalFen)).deliver()).outcome).toBe('paid');
    now = minutes(20);
    await expireDueOrders(deps);
    expect(await stores.orders.get(expired.orderId)).toMatchObject({ status: 'expired' });

    const cases = [
      { orderId: expired.orderId, amountFen: expired.totalFen, status: 'expired' },
      { orderId: cancelled.orderId, amountFen: cancelled.totalFen, status: 'cancelled' },
      { orderId: paid.orderId, amountFen: paid.totalFen, status: 'paid' },
      { orderId: `o-unknown-${randomUUID()}`, amountFen: 999, status: undefined },
    ];
    // Each case on its own order, side by side.
    const checkCase = async (c: (typeof cases)[number]) => {
      const { paymentId, deliver } = await charge(c.orderId, c.amountFen);
      const first = await deliver();
      expect(first).toMatchObject({ outcome: 'refunded', orderId: c.orderId });
      // The provider delivers again: nothing more is recorded, and the money is not kept either.
      expect((await deliver()).outcome).toBe('refunded');

      const order = await stores.orders.get(c.orderId);
      expect(order?.status).toBe(c.status);
      expect(order?.paymentId === paymentId).toBe(false);
      expect(await stores.orders.getPayment(paymentId)).toMatchObject({ amountFen: c.amountFen, outcome: 'refunded' });
      const refunds = (await stores.orders.listRefunds(c.orderId)).filter((r) => r.paymentId === paymentId);
      expect(refunds).toEqual([
        expect.objectContaining({ refundId: `unapplied-${paymentId}`, amountFen: c.amountFen, status: 'requested', lines: [] }),
      ]);
      expect((await actions(c.orderId)).filter((a) => a === 'payment.refunded_unapplied')).toHaveLength(1);

      // The refunds consumer sends it: the provider returns all of it.
      expect(await executeRefund(deps, refunds[0]!)).toBe('succeeded');
      expect(await stores.providerRefunds(paymentId)).toEqual([{ refundId: `unapplied-${paymentId}`, amountFen: c.amountFen }]);
      expect((await stores.orders.listRefunds(c.orderId)).find((r) => r.paymentId === paymentId)?.status).toBe('succeeded');
    };
    await Promise.all(cases.map(checkCase));
    // The order paid first keeps that payment, and nothing of it was refunded.
    expect(await stores.orders.get(paid.orderId)).toMatchObject({ status: 'paid', refundedFen: 0 });
  });

  it('a refund executed twice, even at once, reaches the provider’s books once; more than was paid is refused', async () => {
    const order = await placed();
    now = minutes(5);
    const { paymentId, deliver } = await charge(order.orderId, order.totalFen);
    expect((await deliver()).outcome).toBe('paid');
    now = minutes(10);
    const cancelled = await cancelOrder(deps, { userId: order.userId, roles: [] }, order.orderId);
    expect(cancelled).toMatchObject({ status: 'cancelled', refundedFen: order.totalFen });
    const [refund] = await stores.orders.listRefunds(order.orderId);
    expect(refund).toMatchObject({ refundId: `${order.orderId}-cancel`, amountFen: order.totalFen, status: 'requested' });
    expect(await remaining(order)).toBe(5);

    // The queue delivers the requested refund twice at once, then once more later (the same image each time).
    const outcomes = await Promise.all([executeRefund(deps, refund!), executeRefund(deps, refund!)]);
    expect(outcomes.sort()).toEqual(['already', 'succeeded']);
    expect(await executeRefund(deps, refund!)).toBe('already');

    expect(await stores.providerRefunds(paymentId)).toEqual([{ refundId: refund!.refundId, amountFen: order.totalFen }]);
    expect(await stores.orders.listRefunds(order.orderId)).toEqual([
      expect.objectContaining({ refundId: refund!.refundId, status: 'succeeded', completedAt: now.toISOString() }),
    ]);
    expect((await actions(order.orderId)).filter((a) => a.startsWith('refund.'))).toEqual(['refund.succeeded']);

    // A refund of one fen more than is left of the payment: the provider refuses it, and nothing moves.
    const extra = { ...refund!, refundId: `${order.orderId}-extra`, amountFen: 1 };
    await expect(executeRefund(deps, extra)).rejects.toBeInstanceOf(SandboxRefundRefused);
    expect(await stores.providerRefunds(paymentId)).toHaveLength(1);
  });

  it('the uncollected-orders job refunds a ready order past its pickup window once, however often it runs', async () => {
    const [due, notYet] = await Promise.all([placed('2026-11-20'), placed('2026-11-28')]);
    now = minutes(5);
    const makeReady = async (order: Order) => {
      expect((await (await charge(order.orderId, order.totalFen)).deliver()).outcome).toBe('paid');
      const paid = (await stores.orders.get(order.orderId))!;
      const ready = { ...transitioned(paid, 'close', now.toISOString()), pickupCode: '100001' };
      const audit = { entityId: order.orderId, entityType: 'order', action: 'order.ready', actor: 'system:cutoff', at: now.toISOString() };
      expect(await stores.orders.change({ before: paid, after: ready, audit })).toBe('changed');
    };
    await Promise.all([due, notYet].map(makeReady));

    // 2026-11-24 in Shanghai: three days after the 20th have passed, not after the 28th.
    now = new Date('2026-11-24T02:00:00.000Z');
    const job = { orders: stores.orders, clock: { now: () => now }, pickupWindowDays: 3 };
    const runs = await Promise.all([refundUncollected(job), refundUncollected(job)]);
    expect(runs[0].refunded + runs[1].refunded).toBe(1);
    expect(await refundUncollected(job)).toEqual({ refunded: 0 });

    expect(await stores.orders.get(due.orderId)).toMatchObject({
      status: 'refunded',
      refundedFen: due.totalFen,
      uncollectedAt: now.toISOString(),
    });
    expect(await stores.orders.listRefunds(due.orderId)).toEqual([
      expect.objectContaining({ refundId: uncollectedRefundId(due.orderId), amountFen: due.totalFen, reason: 'uncollected' }),
    ]);
    expect((await actions(due.orderId)).filter((a) => a === 'order.refunded_uncollected')).toHaveLength(1);
    expect(await remaining(due)).toBe(5);
    expect(await stores.orders.get(notYet.orderId)).toMatchObject({ status: 'ready_for_pickup', refundedFen: 0 });
    expect(await stores.orders.listRefunds(notYet.orderId)).toEqual([]);
  });
});
