// Notifications through HTTP and the local stack: who hears what, once per event, read back from the
// sandboxes (`GET /dev/messages`) as the person's phone would show it. Each event is told once even when
// the notify consumer receives every batch twice and the leader confirms the arrival again.
import '../../test/support/no-after-sales-window';
import type { SQSEvent } from 'aws-lambda';
import { SQSClient, StartMessageMoveTaskCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sentMessages } from '../../lib/notifications/wiring';
import { config } from '../../lib/runtime/config';
import { queueName } from '../../lib/runtime/stream-routes';
import { dynamoNoticeStore } from '../../lib/store/notifications';
import { deps as notifyDeps } from '../notify/handler';
import { dateIn, openGroupBuy, operatorToken, pickupPoint, shanghaiDate, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
let restoreConsumer: () => void;
beforeAll(async () => {
  operator = await operatorToken(api);
  // Every batch the notify consumer gets, it gets twice (a retried batch, a record the router sent twice).
  const consumer = api.stack.queues.subscription('notify');
  const real = consumer.handler;
  consumer.handler = async (event: SQSEvent, context) => {
    await real(event, context);
    return real(event, context);
  };
  restoreConsumer = () => void (consumer.handler = real);
  // The sender's pauses between tries of a failing channel, shortened (the queue's own retries stay).
  notifyDeps.delivery.backoffMs = 1;
});
afterAll(async () => {
  restoreConsumer();
});

const site = () => config.publicUrl;
let phoneCounter = 0;
/** A phone number of its own for each person of this file. */
const newPhone = () => `1360000${String(1000 + phoneCounter++).padStart(4, '0')}`;

interface Message {
  channel: 'sms' | 'wechat';
  template: string;
  text: string;
  sentAt: string;
}
async function messagesTo(to: string): Promise<Message[]> {
  const res = await api.call('GET', `/dev/messages?to=${to}`);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function applyAsLeader(phone: string) {
  const userId = unique('leader');
  const token = await api.login(userId);
  const applied = await api.call('POST', '/leaders', { token, body: { name: '李团长', phone, pickupPoint } });
  expect(applied.status).toBe(201);
  return { userId, token, leaderId: applied.body.leaderId as string, phone };
}

async function approvedLeader() {
  const leader = await applyAsLeader(newPhone());
  expect((await api.call('POST', `/leaders/${leader.leaderId}/approve`, { token: operator })).status).toBe(200);
  return leader;
}

/**
 * A closed group buy of one leader: residents (each with their own contact phone) bought two eggs and
 * paid; the cutoff ran, so each order is ready for pickup with a code, and the supplier's purchase order
 * was issued. The supplier has one member, added by the operator.
 */
async function closedGroupBuy(residents: number) {
  const leader = await approvedLeader();
  const { supplierId, products } = await supplierWithProducts(api, [{ name: '土鸡蛋', supplyPriceFen: 800, groupPriceFen: 1000 }]);
  const memberPhone = newPhone();
  expect((await api.call('POST', `/suppliers/${supplierId}/members`, { token: operator, body: { phone: memberPhone } })).status).toBe(201);
  const pickupDate = shanghaiDate(new Date(Date.now() + 30 * 3_600_000).toISOString());
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }], pickupDate });
  const orders: { orderId: string; token: string; phone: string; pickupCode?: string }[] = [];
  for (let i = 0; i < residents; i++) {
    const token = await api.login(unique('resident'));
    const phone = newPhone();
    const placed = await api.call('POST', '/orders', {
      token,
      headers: { 'Idempotency-Key': unique('idem') },
      body: {
        shareToken: gb.shareToken,
        items: [{ productId: products[0]!.productId, quantity: 2 }],
        contactName: '张三',
        contactPhone: phone,
      },
    });
    expect(placed.status).toBe(201);
    expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);
    orders.push({ orderId: placed.body.orderId, token, phone });
  }
  await passCutoff(gb.groupBuyId);
  expect((await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }))).status).toBe(200);
  await api.drain();
  for (const o of orders) {
    const order = (await api.call('GET', `/orders/${o.orderId}`, { token: o.token })).body;
    expect(order.status).toBe('ready_for_pickup');
    o.pickupCode = order.pickupCode;
  }
  return { leader, supplierId, productId: products[0]!.productId, memberPhone, pickupDate, orders };
}

const monthDay = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

test('a purchase order issued: the supplier’s member is texted once, with the date, the totals and the link', async () => {
  const { memberPhone, pickupDate } = await closedGroupBuy(2);
  const messages = await messagesTo(memberPhone);
  // 2 residents × 2 eggs × 8.00 supply price.
  expect(messages).toEqual([
    {
      channel: 'sms',
      template: 'po_issued',
      text: `新采购单：${monthDay(pickupDate)}送达，1种商品，货款32.00元。详情：${site()}/supplier`,
      sentAt: expect.any(String),
    },
  ]);
});

test('arrival: each resident with a ready order is told once with their code, however often it is confirmed', async () => {
  const { leader, orders, pickupDate } = await closedGroupBuy(2);
  const first = await api.call('POST', '/pickup-points/me/arrivals', { token: leader.token, body: { date: pickupDate } });
  expect(first.status).toBe(200);
  expect(first.body).toEqual({ date: pickupDate, notified: 2 });
  await api.drain();
  // Again, all of it and then product by product: nobody is told twice.
  const again = await api.call('POST', '/pickup-points/me/arrivals', { token: leader.token, body: { date: pickupDate } });
  expect(again.body).toEqual({ date: pickupDate, notified: 0 });
  await api.drain();

  for (const o of orders) {
    expect(await messagesTo(o.phone)).toEqual([
      {
        channel: 'sms',
        template: 'pickup_ready',
        text: `您在${pickupPoint.name}的团购商品已到货，取货码${o.pickupCode}，请凭码到自提点领取。`,
        sentAt: expect.any(String),
      },
    ]);
  }
});

test('arrival of some products: a resident is told once all of their goods are there, even with every channel off', async () => {
  const { leader, orders, pickupDate, productId } = await closedGroupBuy(1);
  // A pickup code is essential: it still goes out, by SMS.
  const off = await api.call('PUT', '/me/notification-settings', { token: orders[0]!.token, body: { sms: false, wechat: false } });
  expect(off.status).toBe(200);
  const some = await api.call('POST', '/pickup-points/me/arrivals', {
    token: leader.token,
    body: { date: pickupDate, productIds: [productId] },
  });
  expect(some.body).toEqual({ date: pickupDate, notified: 1 });
  await api.drain();
  expect((await messagesTo(orders[0]!.phone)).map((m) => m.template)).toEqual(['pickup_ready']);
});

test('bad arrivals get the API’s error and tell nobody', async () => {
  const { leader, orders, pickupDate } = await closedGroupBuy(1);
  const other = await approvedLeader();
  const cases = [
    // a date with no orders at this pickup point
    { token: leader.token, body: { date: dateIn(20) }, status: 400 },
    // a product not on the sheet
    { token: leader.token, body: { date: pickupDate, productIds: ['no-such-product'] }, status: 400 },
    // another leader's goods (their own point has nothing that day)
    { token: other.token, body: { date: pickupDate }, status: 400 },
    // a resident is no leader
    { token: orders[0]!.token, body: { date: pickupDate }, status: 403 },
    // malformed
    { token: leader.token, body: { date: '2026-13-01' }, status: 400 },
    { token: leader.token, body: { date: pickupDate, productIds: [] }, status: 400 },
  ];
  for (const c of cases) {
    const res = await api.call('POST', '/pickup-points/me/arrivals', { token: c.token, body: c.body });
    expect({ body: c.body, status: res.status }).toEqual({ body: c.body, status: c.status });
  }
  expect((await api.call('POST', '/pickup-points/me/arrivals', { body: { date: pickupDate } })).status).toBe(401);
  await api.drain();
  expect(await messagesTo(orders[0]!.phone)).toEqual([]);
});

test('refunds: each resident is told the amount and the reason, once; a refund that changes the purchase order tells the supplier', async () => {
  const { orders, memberPhone, pickupDate } = await closedGroupBuy(2);
  const [partly, wholly] = orders as [(typeof orders)[0], (typeof orders)[0]];
  // Compensation for part of a line: the goods are still delivered, the purchase order stays as it is.
  expect(
    (await api.call('POST', `/orders/${partly.orderId}/refunds`, { token: operator, body: { amountFen: 300, reason: '鸡蛋破损' } })).status,
  ).toBe(201);
  // The whole order: its goods leave the purchase order (a revision).
  expect(
    (await api.call('POST', `/orders/${wholly.orderId}/refunds`, { token: operator, body: { amountFen: 2000, reason: '缺货' } })).status,
  ).toBe(201);
  await api.drain();
  expect(await messagesTo(partly.phone)).toEqual([
    {
      channel: 'sms',
      template: 'refunded',
      text: '您购买的土鸡蛋已退款3.00元，原因：鸡蛋破损。款项将原路退回。',
      sentAt: expect.any(String),
    },
  ]);
  expect((await messagesTo(wholly.phone)).map((m) => m.text)).toEqual(['您购买的土鸡蛋已退款20.00元，原因：缺货。款项将原路退回。']);
  expect((await messagesTo(memberPhone)).map((m) => m.text)).toEqual([
    `采购单有变更：${monthDay(pickupDate)}送达，现1种商品，货款16.00元。详情：${site()}/supplier`,
    `新采购单：${monthDay(pickupDate)}送达，1种商品，货款32.00元。详情：${site()}/supplier`,
  ]);
});

test('a leader hears of their application’s decision, and of a payout paid', async () => {
  const approved = await approvedLeader();
  const rejected = await applyAsLeader(newPhone());
  expect(
    (await api.call('POST', `/leaders/${rejected.leaderId}/reject`, { token: operator, body: { reason: '自提点地址不详' } })).status,
  ).toBe(200);
  await api.drain();
  expect((await messagesTo(approved.phone)).map((m) => m.text)).toEqual([`恭喜，您的团长申请已通过，现在就可以开团了：${site()}/leader`]);
  expect((await messagesTo(rejected.phone)).map((m) => m.text)).toEqual(['很抱歉，您的团长申请未通过，原因：自提点地址不详。']);

  // The leader's residents pick up; their commission is paid out (no after-sales window in this file).
  const { leader, orders, pickupDate } = await closedGroupBuy(1);
  const picked = await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: orders[0]!.pickupCode, date: pickupDate } });
  expect(picked.status).toBe(200);
  await api.drain();
  expect((await api.call('POST', '/jobs/payouts', { token: operator })).status).toBe(200);
  const proposed = (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.find(
    (p: { leaderId: string }) => p.leaderId === leader.leaderId,
  );
  expect((await api.call('POST', `/payouts/${proposed.payoutId}/approve`, { token: operator })).body.status).toBe('paid');
  await api.drain();
  const amount = `${Math.floor(proposed.amountFen / 100)}.${String(proposed.amountFen % 100).padStart(2, '0')}`;
  expect((await messagesTo(leader.phone)).map((m) => m.text)).toEqual([
    `您的佣金${amount}元已发放，请在微信零钱中查收。`,
    `恭喜，您的团长申请已通过，现在就可以开团了：${site()}/leader`,
  ]);
});

test('notification settings: both channels until the person chooses; bad input is refused', async () => {
  const token = await api.login(unique('resident'));
  expect((await api.call('GET', '/me/notification-settings', { token })).body).toMatchObject({ sms: true, wechat: true });
  const put = await api.call('PUT', '/me/notification-settings', { token, body: { sms: false, wechat: true } });
  expect(put.status).toBe(200);
  expect(put.body).toMatchObject({ sms: false, wechat: true });
  expect((await api.call('GET', '/me/notification-settings', { token })).body).toMatchObject({ sms: false, wechat: true });
  for (const body of [{ sms: 'no', wechat: true }, { sms: true }, { sms: true, wechat: true, email: true }]) {
    expect((await api.call('PUT', '/me/notification-settings', { token, body })).status).toBe(400);
  }
  expect((await api.call('GET', '/me/notification-settings')).status).toBe(401);
});

test('an SMS provider that keeps failing: the notice waits in the dead-letter queue with its error; a redrive sends it once', async () => {
  const phone = newPhone();
  const record = sentMessages.record.bind(sentMessages);
  const down = jest.spyOn(sentMessages, 'record').mockImplementation(async (to, message) => {
    if (to === phone) throw new Error('SMS provider down');
    return record(to, message);
  });
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => {});
  const leader = await applyAsLeader(phone);
  try {
    expect((await api.call('POST', `/leaders/${leader.leaderId}/approve`, { token: operator })).status).toBe(200);
    await api.drain();
  } finally {
    down.mockRestore();
    quiet.mockRestore();
  }
  // Nothing was sent; what an operator sees: the notice pending with its attempts and error, its message parked.
  expect(await messagesTo(phone)).toEqual([]);
  const notice = await dynamoNoticeStore().get(`leader-decision:${leader.leaderId}`);
  expect(notice).toMatchObject({ status: 'pending', lastError: 'Error: SMS provider down' });
  expect(notice!.attempts).toBeGreaterThanOrEqual(8);
  const dlq = queueName(process.env.TABLE_NAME!, 'notify', true);
  expect(api.stack.queues.bodies(dlq).filter((b) => b.includes(`leader-decision:${leader.leaderId}`))).toHaveLength(1);

  // The provider is back; the operator re-drives (as `npm run redrive` does): sent once.
  const sqs = new SQSClient({
    endpoint: api.stack.queues.endpoint,
    region: 'ap-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: api.stack.queues.urlOf(dlq), AttributeNames: ['All'] }),
    );
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: Attributes!.QueueArn }));
  } finally {
    sqs.destroy();
  }
  await api.drain();
  expect((await messagesTo(phone)).map((m) => m.template)).toEqual(['leader_approved']);
  expect(await dynamoNoticeStore().get(`leader-decision:${leader.leaderId}`)).toMatchObject({ status: 'sent', channel: 'sms' });
  expect(api.stack.queues.depth(dlq)).toBe(0);
});
