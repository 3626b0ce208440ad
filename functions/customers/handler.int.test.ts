// The leader's customer book and stats through HTTP, to the fen, after a history with repeat customers, a
// cancellation, an unpaid order, a refund after pickup and an order placed 40 days ago; every message of the
// customerBook queue delivered twice and out of order, then all of them again backwards; then a re-run over
// the leader's orders and ledger, on the kept book and on an emptied one.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { rerunLeader } from '../../lib/customers/customers';
import { customerBookDeps, leaderHistory } from '../../lib/customers/wiring';
import { db, queryAll, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { activeLeader, dateIn, openGroupBuy, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { backdateOrder, passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await api.login('op-customers', ['operator']);
});

type QueueHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse | void | undefined>;

/**
 * Wraps customerBook as its queue invokes it: each batch goes first backwards, then again as delivered,
 * so every message is applied twice and newer images of an order often come before older ones. Keeps
 * every message, for a replay.
 */
function twiceAndBackwards() {
  const consumer = api.stack.queues.subscription('customerBook');
  const real: QueueHandler = consumer.handler;
  const messages: SQSRecord[] = [];
  consumer.handler = async (event, context) => {
    messages.push(...event.Records);
    const first = await real({ Records: [...event.Records].reverse() }, context);
    const second = await real(event, context);
    const failed = new Set([...(first?.batchItemFailures ?? []), ...(second?.batchItemFailures ?? [])].map((f) => f.itemIdentifier));
    return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  };
  return {
    messages,
    /** Every message kept, delivered again newest first, in batches as the queue would. */
    async replayBackwards() {
      const all = [...messages].reverse();
      for (let i = 0; i < all.length; i += 50) {
        const result = await real({ Records: all.slice(i, i + 50) });
        expect(result?.batchItemFailures ?? []).toEqual([]);
      }
    },
    restore: () => void (consumer.handler = real),
  };
}

/** Moves an order's time back by `days` (a write of the order: its version moves on, as with every write). */
const ageOrder = (orderId: string, days: number) => backdateOrder(orderId, 'createdAt', days);

interface Resident {
  userId: string;
  token: string;
}

async function resident(): Promise<Resident> {
  const userId = unique('resident');
  return { userId, token: await api.login(userId) };
}

async function order(
  who: Resident,
  shareToken: string,
  items: { productId: string; quantity: number }[],
  contact: [string, string],
  pay = true,
) {
  const placed = await api.call('POST', '/orders', {
    token: who.token,
    headers: { 'Idempotency-Key': unique('idem-key') },
    body: { shareToken, items, contactName: contact[0], contactPhone: contact[1] },
  });
  expect(placed.status).toBe(201);
  if (pay) expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);
  return placed.body.orderId as string;
}

async function pickUp(leaderToken: string, who: Resident, orderId: string) {
  const { pickupCode, pickupDate } = (await api.call('GET', `/orders/${orderId}`, { token: who.token })).body;
  expect((await api.call('POST', '/pickups', { token: leaderToken, body: { pickupCode, date: pickupDate } })).status).toBe(200);
}

test('the book and the stats to the fen, whatever the queue delivers twice or out of order, and rebuilt by a re-run', async () => {
  const delivery = twiceAndBackwards();
  try {
    const leader = await activeLeader(api);
    const { products } = await supplierWithProducts(api, [
      { name: '草莓', supplyPriceFen: 700, groupPriceFen: 1000, commissionRateBps: 1000 },
      { name: '鸡蛋', supplyPriceFen: 2000, groupPriceFen: 2590, commissionRateBps: 1000 },
    ]);
    const [p1, p2] = products.map((p) => p.productId) as [string, string];
    const pickupDate = dateIn(1);
    const open = () =>
      openGroupBuy(api, leader.token, {
        items: [{ productId: p1 }, { productId: p2 }],
        cutoffAt: new Date(Date.now() + 3_600_000).toISOString(),
        pickupDate,
      });
    const gb1 = await open();
    const gb2 = await open();
    const [a, b, c, d] = [await resident(), await resident(), await resident(), await resident()];

    // Group buy 1: A, B and D pay; C never pays.
    const o1 = await order(a, gb1.shareToken, [{ productId: p1, quantity: 2 }], ['张三', '13812341234']); // 2000
    const o2 = await order(
      b,
      gb1.shareToken,
      [
        { productId: p1, quantity: 1 },
        { productId: p2, quantity: 1 },
      ],
      ['李四', '13700005555'],
    ); // 3590
    await order(c, gb1.shareToken, [{ productId: p1, quantity: 1 }], ['王五', '13600006666'], false);
    await order(d, gb1.shareToken, [{ productId: p1, quantity: 3 }], ['赵六', '13500007777']); // 3000
    // Group buy 2: A again (another contact), B pays then cancels, D twice.
    const o4 = await order(a, gb2.shareToken, [{ productId: p2, quantity: 1 }], ['张小三', '13912345678']); // 2590
    const o5 = await order(b, gb2.shareToken, [{ productId: p1, quantity: 1 }], ['李四', '13700005555']); // 1000, cancelled
    expect((await api.call('POST', `/orders/${o5}/cancel`, { token: b.token })).status).toBe(200);
    await order(d, gb2.shareToken, [{ productId: p2, quantity: 2 }], ['赵六', '13500007777']); // 5180
    await order(d, gb2.shareToken, [{ productId: p1, quantity: 1 }], ['赵六', '13500007777']); // 1000

    // Before the cutoff, paid orders already count (group buys not yet closed are in the window).
    await api.drain();
    const early = (await api.call('GET', '/leaders/me/stats?days=30', { token: leader.token })).body;
    expect(early).toMatchObject({ orders: 6, gmvFen: 2000 + 3590 + 3000 + 2590 + 5180 + 1000, customers: 3 });

    // The cutoff; A and B collect; an operator refunds 5.00 of A's first order; that order was placed 40 days ago.
    await passCutoff([gb1.groupBuyId, gb2.groupBuyId]);
    await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
    for (const [who, id] of [
      [a, o1],
      [a, o4],
      [b, o2],
    ] as const)
      await pickUp(leader.token, who, id);
    expect(
      (await api.call('POST', `/orders/${o1}/refunds`, { token: operator, body: { amountFen: 500, reason: '少了一盒' } })).status,
    ).toBe(201);
    await api.drain();
    await ageOrder(o1, 40);
    await api.drain();

    // Commissions: o1 floor(1500 × 10 %) = 150 (200, then −50), o4 259, o2 100 + 259.
    const ledger = (await api.call('GET', '/leaders/me/commissions', { token: leader.token })).body;
    const earned = ledger.entries.reduce(
      (s: number, e: { kind: string; amountFen: number }) => s + (e.kind === 'payout' ? 0 : e.amountFen),
      0,
    );
    expect(earned).toBe(768);

    const expected30 = {
      days: 30,
      customers: 3, // A (o4), B (o2), D
      newCustomers: 2, // B and D: A's first order is 40 days old
      repeatCustomers: 1, // D (group buys 1 and 2); A has only group buy 2 in the window
      repeatRateBps: 3333,
      orders: 5,
      gmvFen: 2590 + 3590 + 3000 + 5180 + 1000,
      averageOrderFen: Math.floor(15360 / 5),
      commissionFen: 768,
    };
    const expected60 = {
      days: 60,
      customers: 3,
      newCustomers: 3,
      repeatCustomers: 2, // A and D
      repeatRateBps: 6666,
      orders: 6,
      gmvFen: 1500 + 15360,
      averageOrderFen: Math.floor(16860 / 6),
      commissionFen: 768,
    };
    const customerOf = (contactPhone: string, orders: number, spentFen: number) =>
      expect.objectContaining({ contactPhone, orders, spentFen, customerId: expect.stringMatching(/^c-/) });
    const expectedBook = [
      customerOf('135****7777', 3, 9180), // D: latest order last of all
      customerOf('139****5678', 2, 1500 + 2590), // A, with the contact of their latest order
      customerOf('137****5555', 1, 3590), // B: the cancelled order is not theirs any more
    ];

    const check = async () => {
      expect((await api.call('GET', '/leaders/me/stats?days=30', { token: leader.token })).body).toMatchObject(expected30);
      expect((await api.call('GET', '/leaders/me/stats?days=60', { token: leader.token })).body).toMatchObject(expected60);
      expect((await api.call('GET', `/leaders/${leader.leaderId}/stats?days=60`, { token: operator })).body).toMatchObject(expected60);
      const book = await api.call('GET', '/leaders/me/customers', { token: leader.token });
      expect(book.body.items).toEqual(expectedBook);
      return book;
    };
    const book = await check();
    // Masked: no full phone or name leaves, times are Beijing's.
    expect(book.text).not.toMatch(/1\d{10}/);
    expect(book.body.items[1]).toMatchObject({ contactName: '张**' });
    expect(book.body.items[1].firstOrderAt).toMatch(/\+08:00$/);
    expect(Date.parse(book.body.items[1].lastOrderAt) - Date.parse(book.body.items[1].firstOrderAt)).toBeGreaterThan(39 * 86_400_000);
    // Paged, newest first.
    const page1 = (await api.call('GET', '/leaders/me/customers?limit=2', { token: leader.token })).body;
    expect(page1.items).toEqual(expectedBook.slice(0, 2));
    const page2 = (await api.call('GET', `/leaders/me/customers?limit=2&cursor=${page1.nextCursor}`, { token: leader.token })).body;
    expect(page2.items).toEqual(expectedBook.slice(2));
    // The chart's weeks: the last one holds today's orders, the older ones the 40-day-old one.
    const weeks = (await api.call('GET', '/leaders/me/stats?days=56', { token: leader.token })).body.weeks;
    expect(weeks).toHaveLength(8);
    expect(weeks.at(-1)).toMatchObject({ orders: 5, gmvFen: 15360, commissionFen: 768 });
    expect(weeks.reduce((s: number, w: { orders: number }) => s + w.orders, 0)).toBe(6);

    // Every message again, newest first: nothing moves.
    expect(delivery.messages.length).toBeGreaterThan(10);
    await delivery.replayBackwards();
    await check();

    // A re-run over the leader's orders and ledger finds everything applied; over an emptied book it rebuilds it.
    const deps = customerBookDeps();
    const history = await leaderHistory()(leader.leaderId);
    expect((await rerunLeader(deps, history)).orders.applied).toBe(0);
    await check();
    await emptyBook(leader.leaderId, [a, b, c, d]);
    expect((await api.call('GET', '/leaders/me/stats?days=60', { token: leader.token })).body).toMatchObject({ orders: 0, customers: 0 });
    const rerun = await rerunLeader(deps, history);
    expect(rerun.entries).toMatchObject({ booked: 5, already: 0 });
    await check();
  } finally {
    delivery.restore();
  }
});

/** Deletes every item the book keeps for a leader (the customers' partitions and the leader's stats). */
async function emptyBook(leaderId: string, residents: Resident[]) {
  const partitions = [...residents.map((r) => keys.customerPartition(leaderId, r.userId)), keys.statsPartition(leaderId)];
  for (const pk of partitions) {
    const items = await queryAll(db(), {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
    });
    for (const item of items) await db().send(new DeleteCommand({ TableName: tableName(), Key: { pk: item.pk, sk: item.sk } }));
  }
}

test('leaders see only their own book; stats are theirs or an operator’s; days are 1 to 365', async () => {
  const leader = await activeLeader(api);
  const other = await activeLeader(api);
  expect((await api.call('GET', '/leaders/me/customers', { token: other.token })).body).toEqual({ items: [] });
  expect((await api.call('GET', `/leaders/${leader.leaderId}/stats`, { token: other.token })).status).toBe(403);
  expect((await api.call('GET', `/leaders/${leader.leaderId}/stats`, { token: leader.token })).status).toBe(200);
  expect((await api.call('GET', '/leaders/no-such-leader/stats', { token: operator })).status).toBe(404);
  const stranger = await api.login(unique('stranger'));
  expect((await api.call('GET', '/leaders/me/customers', { token: stranger })).status).toBe(404);
  expect((await api.call('GET', '/leaders/me/stats', { token: stranger })).status).toBe(404);
  expect((await api.call('GET', '/leaders/me/customers')).status).toBe(401);

  const fresh = (await api.call('GET', '/leaders/me/stats', { token: leader.token })).body;
  expect(fresh).toMatchObject({ days: 30, customers: 0, orders: 0, gmvFen: 0, averageOrderFen: 0, repeatRateBps: 0, commissionFen: 0 });
  for (const days of ['0', '366', '7.5', 'x']) {
    const bad = await api.call('GET', `/leaders/me/stats?days=${days}`, { token: leader.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('days');
  }
  expect((await api.call('GET', '/leaders/me/stats?days=365', { token: leader.token })).body.weeks).toHaveLength(53);
  expect((await api.call('GET', '/leaders/me/customers?cursor=bm90LWEtY3Vyc29y', { token: leader.token })).status).toBe(400);
});
