// The notifications function's CloudBase entry and the notify consumer's, called as CloudBase calls them: a
// leader confirms an arrival through HTTP access, the notice lands in the outbox with its change, and notify's
// timer sweep sends it through the SMS sandbox once, however often it runs. Real SDK, stand-in database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent, CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';
import { standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { activeLeader, auditActions, paidOrder } from '../../test/contract/people';

const sample = <T = CloudBaseHttpEvent>(name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8')) as T;
const timer = sample<CloudBaseTimerEvent>('timer.json');
const context = { request_id: 'sweep-1', function_name: 'notify', time_limit_in_ms: 60_000 };

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
let sweep: typeof import('../notify/cloudbase').main;
let leaderToken: string;
let residentToken: string;
const leader = activeLeader('L1');
const { paid, next } = paidOrder({ orderId: 'O-ready', userId: 'u-resident', leaderId: 'L1', placedAt: '2026-11-30T03:00:00.000Z' });
const ready = next(paid, { status: 'ready_for_pickup', pickupCode: '246810' });

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  ({ main: sweep } = await import('../notify/cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { orderDoc } = await import('../../lib/adapters/cloudbase/orders');
  leaderToken = await stageIdentity.issue({ userId: leader.userId, roles: [] });
  residentToken = await stageIdentity.issue({ userId: 'u-resident', roles: [] });

  // The leader, their resident's order (ready, with its pickup code) and its line on the day's pickup sheet.
  const db = await standInDb(standIn);
  await db
    .collection('leaders')
    .doc(leader.leaderId)
    .set({ ...leader });
  await db.collection('users').doc('u-resident').set({ userId: 'u-resident', phone: '13812341234', createdAt: '2026-11-01T00:00:00.000Z' });
  await db.collection('orders').doc(ready.orderId).set(orderDoc(ready));
  await db
    .collection('sheetLines')
    .doc(`L1#${ready.pickupDate}#${ready.orderId}`)
    .set({
      leaderId: 'L1',
      date: ready.pickupDate,
      orderId: ready.orderId,
      pickupCode: '246810',
      contactName: '张*',
      contactPhone: '138****1234',
      status: 'ready_for_pickup',
      items: [{ productId: 'apple', name: '苹果', unit: '袋', quantity: 1 }],
      orderVersion: ready.version,
    });
});

function confirmEvent(token: string): CloudBaseHttpEvent {
  const event = sample('arrivals-confirm.json');
  return { ...event, body: JSON.stringify({ date: ready.pickupDate }), headers: { ...event.headers, authorization: `Bearer ${token}` } };
}
const texts = () => standIn.documents('sandboxMessages').map((d) => ({ to: d.to, channel: d.channel, template: d.template, text: d.text }));

test('an arrival announced through HTTP access is sent by the notify sweep, once, through the SMS sandbox', async () => {
  const confirmed = await main(confirmEvent(leaderToken), { request_id: 'r1', function_name: 'notifications' });
  expect([confirmed.statusCode, JSON.parse(confirmed.body!)]).toEqual([200, { date: ready.pickupDate, notified: 1 }]);
  // The notice, and its change in the outbox for notify alone, written together; nothing sent yet.
  expect(standIn.documents('notices')).toEqual([
    expect.objectContaining({ _id: `pickup-ready:${ready.orderId}`, status: 'pending', phone: '13812341234' }),
  ]);
  expect(standIn.documents('outbox').map((d) => d.consumer)).toEqual(['notify']);
  expect(texts()).toEqual([]);

  expect(await sweep(timer, context)).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(texts()).toEqual([
    {
      to: '13812341234',
      channel: 'sms',
      template: 'pickup_ready',
      text: '您在幸福小区的团购商品已到货，取货码246810，请凭码到自提点领取。',
    },
  ]);
  expect(standIn.documents('notices')).toEqual([expect.objectContaining({ status: 'sent', channel: 'sms' })]);

  // The leader confirms again, the timer fires again: nobody is told twice.
  const again = await main(confirmEvent(leaderToken));
  expect(JSON.parse(again.body!)).toEqual({ date: ready.pickupDate, notified: 0 });
  expect(await sweep(timer, context)).toEqual({ delivered: 0, failed: 0, dead: 0 });
  expect(texts()).toHaveLength(1);
  expect(auditActions(standIn, `L1#${ready.pickupDate}`)).toEqual(['arrival.confirmed', 'arrival.confirmed']);
});

test('only a leader confirms arrivals; a resident chooses their channels through /me/notification-settings', async () => {
  const refused = await main(confirmEvent(residentToken));
  expect([refused.statusCode, JSON.parse(refused.body!)]).toEqual([403, { error: expect.objectContaining({ code: 'FORBIDDEN' }) }]);

  const put = sample('notification-settings-put.json');
  const changed = await main({ ...put, headers: { ...put.headers, authorization: `Bearer ${residentToken}` } });
  expect([changed.statusCode, JSON.parse(changed.body!)]).toEqual([200, { sms: false, wechat: true, wechatBound: false }]);
  const read = await main({
    ...put,
    httpMethod: 'GET',
    body: '',
    headers: { ...put.headers, 'content-type': undefined, 'content-length': undefined, authorization: `Bearer ${residentToken}` },
  });
  expect([read.statusCode, JSON.parse(read.body!)]).toEqual([200, { sms: false, wechat: true, wechatBound: false }]);
  expect(standIn.documents('notificationSettings')).toEqual([expect.objectContaining({ _id: 'u-resident', sms: false, wechat: true })]);
});
