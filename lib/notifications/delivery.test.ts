// Sending a notice: once whatever the deliveries, retried while the provider fails, then left pending
// (its message parked by the queue) with the error for an operator; channels chosen by the settings,
// with pickup codes and refunds always going out by one.
import type { Notice, NotificationSettings } from '../../schemas/notifications';
import type { DeliveryDeps } from './delivery';
import { channelsToTry, deliverNotice, NotYet } from './delivery';
import type { MessageChannel, NoticeOutcome, NoticeStore, OutgoingMessage } from './ports';
import { finishedFields } from './ports';

function memoryNotices(): NoticeStore & { items: Map<string, Notice> } {
  const items = new Map<string, Notice>();
  return {
    items,
    async add(n) {
      if (items.has(n.noticeId)) return false;
      items.set(n.noticeId, { ...n });
      return true;
    },
    async get(id) {
      const n = items.get(id);
      return n && { ...n };
    },
    async claim(id, token, now, until) {
      const n = items.get(id);
      if (!n || n.status !== 'pending' || (n.leaseUntil && n.leaseUntil >= now)) return undefined;
      Object.assign(n, { leaseUntil: until, leaseToken: token });
      return { ...n };
    },
    async finish(id, token, outcome: NoticeOutcome) {
      const n = items.get(id)!;
      if (n.leaseToken !== token) return;
      delete n.leaseToken;
      delete n.leaseUntil;
      Object.assign(n, finishedFields(outcome));
    },
    async release(id, token, error) {
      const n = items.get(id)!;
      if (n.leaseToken !== token) return;
      delete n.leaseToken;
      delete n.leaseUntil;
      Object.assign(n, { attempts: n.attempts + 1, lastError: error });
    },
  };
}

/** A channel that answers from a script (`fail`: throws), and keeps what it sent. */
function channel(script: ('sent' | 'fail' | 'unavailable')[] = []) {
  const sent: OutgoingMessage[] = [];
  let calls = 0;
  const c: MessageChannel & { sent: OutgoingMessage[]; calls: () => number } = {
    sent,
    calls: () => calls,
    async send(m) {
      const answer = script[calls++] ?? 'sent';
      if (answer === 'fail') throw new Error('provider down');
      if (answer === 'unavailable') return { unavailable: 'not accepted' };
      sent.push(m);
      return 'sent';
    },
  };
  return c;
}

let n = 0;
function setup(options: {
  sms?: ReturnType<typeof channel>;
  wechat?: ReturnType<typeof channel>;
  settings?: NotificationSettings;
  openId?: string;
  purchaseOrder?: { revision: number; kinds: number; totalFen: number };
}) {
  const notices = memoryNotices();
  const sms = options.sms ?? channel();
  const wechat = options.wechat ?? channel();
  const deps: DeliveryDeps = {
    notices,
    settings: { get: async () => options.settings },
    people: { openIdOf: async () => options.openId, userIdByPhone: async () => undefined },
    purchaseOrders: { current: async () => options.purchaseOrder },
    channels: { sms, wechat },
    clock: { now: () => new Date('2026-12-01T02:00:00Z') },
    ids: { next: () => `t${n++}` },
    site: 'https://tuan.example.cn',
    leaseSeconds: 60,
    tries: 3,
    backoffMs: 1,
  };
  return { deps, notices, sms, wechat };
}

const pickupNotice = (): Notice => ({
  noticeId: 'pickup-ready:o1',
  template: 'pickup_ready',
  params: { point: '芳芳小卖部', code: '482913' },
  phone: '13812341234',
  userId: 'u1',
  status: 'pending',
  createdAt: '2026-12-01T01:00:00Z',
  attempts: 0,
});

test('a notice delivered twice is sent once', async () => {
  const { deps, notices, sms } = setup({});
  await notices.add(pickupNotice());
  expect(await deliverNotice(deps, 'pickup-ready:o1')).toBe('sent');
  expect(await deliverNotice(deps, 'pickup-ready:o1')).toBe('already');
  expect(sms.sent.map((m) => [m.to, m.text])).toEqual([
    ['13812341234', '您在芳芳小卖部的团购商品已到货，取货码482913，请凭码到自提点领取。'],
  ]);
});

test('a provider that fails is retried with backoff, then the notice stays pending with its error, and is sent on a later delivery', async () => {
  const sms = channel(['fail', 'fail', 'fail', 'sent']);
  const { deps, notices } = setup({ sms });
  await notices.add(pickupNotice());
  await expect(deliverNotice(deps, 'pickup-ready:o1')).rejects.toThrow('provider down');
  expect(sms.calls()).toBe(3);
  expect(notices.items.get('pickup-ready:o1')).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: provider down' });
  // The queue's next delivery (or an operator's redrive from the dead-letter queue).
  expect(await deliverNotice(deps, 'pickup-ready:o1')).toBe('sent');
  expect(sms.sent).toHaveLength(1);
});

test('while one invocation holds the notice, a duplicate delivery sends nothing', async () => {
  const { deps, notices, sms } = setup({});
  await notices.add(pickupNotice());
  await notices.claim('pickup-ready:o1', 'other', '2026-12-01T02:00:00Z', '2026-12-01T02:01:00Z');
  expect(await deliverNotice(deps, 'pickup-ready:o1')).toBe('busy');
  expect(sms.sent).toHaveLength(0);
});

test('WeChat first for someone who signed in with it; SMS when WeChat refuses', async () => {
  const wechat = channel(['unavailable']);
  const { deps, notices, sms } = setup({ wechat, openId: 'oAbCdEfGhIjKlMnOpQrStUvWxYz0' });
  await notices.add(pickupNotice());
  expect(await deliverNotice(deps, 'pickup-ready:o1')).toBe('sent');
  expect(wechat.calls()).toBe(1);
  expect(sms.sent).toHaveLength(1);
});

test('settings: both off still brings a pickup code by SMS, but no payout notice', async () => {
  const off = { sms: false, wechat: false };
  expect(channelsToTry(off, { phone: '13812341234', openId: 'o1' }, true)).toEqual(['sms']);
  expect(channelsToTry(off, { phone: '13812341234', openId: 'o1' }, false)).toEqual([]);
  expect(channelsToTry({ sms: false, wechat: true }, { phone: '13812341234', openId: 'o1' }, true)).toEqual(['wechat', 'sms']);
  expect(channelsToTry({ sms: false, wechat: true }, { phone: '13812341234' }, true)).toEqual(['sms']);

  const { deps, notices, sms } = setup({ settings: off });
  await notices.add({ ...pickupNotice(), noticeId: 'payout-paid:p1', template: 'payout_paid', params: { amount: '1.00' } });
  expect(await deliverNotice(deps, 'payout-paid:p1')).toBe('skipped');
  expect(sms.sent).toHaveLength(0);
});

const poNotice = (revision: number): Notice => ({
  noticeId: `po:s1-2026-12-02:r${revision}:13700002222`,
  template: revision === 1 ? 'po_issued' : 'po_revised',
  params: { poId: 's1-2026-12-02', supplierId: 's1', deliveryDate: '2026-12-02', part: '1', revision: String(revision), date: '12月2日' },
  phone: '13700002222',
  status: 'pending',
  createdAt: '2026-12-01T01:00:00Z',
  attempts: 0,
});

test('purchase orders: the numbers are the document’s at sending; "changed" waits for "new"; a superseded revision is skipped', async () => {
  const { deps, notices, sms } = setup({ purchaseOrder: { revision: 3, kinds: 2, totalFen: 96000 } });
  for (const r of [1, 2, 3]) await notices.add(poNotice(r));
  // Revision 3 before the issue notice went out: it waits (the queue brings it again).
  await expect(deliverNotice(deps, poNotice(3).noticeId)).rejects.toThrow(NotYet);
  // The issue notice tells the current document (revision 3)…
  expect(await deliverNotice(deps, poNotice(1).noticeId)).toBe('sent');
  expect(sms.sent.map((m) => m.text)).toEqual(['新采购单：12月2日送达，2种商品，货款960.00元。详情：https://tuan.example.cn/supplier']);
  // …so revision 2 is superseded and revision 3 was told by it.
  expect(await deliverNotice(deps, poNotice(2).noticeId)).toBe('skipped');
  expect(await deliverNotice(deps, poNotice(3).noticeId)).toBe('skipped');
  expect(sms.sent).toHaveLength(1);
});
