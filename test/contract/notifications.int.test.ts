// Notifications as one contract, run on both stores: a change that causes a message becomes one notice
// however often it is delivered, a notice is sent once however often (and however concurrently) its own
// delivery comes, a failing channel gives the notice back for the next delivery, a person's settings are
// honoured, and a leader's arrival confirmation tells each resident once. The channels record what they are
// handed (SMS and WeChat cannot exist here); the stores, the planning and the sending are the real ones.
import type { AuditEvent } from '../../schemas/common';
import type { Notice, Channel } from '../../schemas/notifications';
import type { Order } from '../../schemas/orders';
import type { SheetLine } from '../../schemas/pickups';
import type { User } from '../../schemas/auth';
import { confirmArrival } from '../../lib/notifications/arrivals';
import { onChange } from '../../lib/notifications/consumer';
import type { DeliveryDeps } from '../../lib/notifications/delivery';
import type { PlanningDeps } from '../../lib/notifications/planning';
import { pickupReadyNotice } from '../../lib/notifications/planning';
import type { ArrivalStore, NoticeStore, OutgoingMessage, People, SettingsStore } from '../../lib/notifications/ports';
import { getSettings, putSettings } from '../../lib/notifications/settings';
import type { ChangeRecord } from '../../lib/runtime/stream';
import type { Principal } from '../../lib/runtime/auth';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import {
  cloudbaseArrivalStore,
  cloudbaseNoticeStore,
  cloudbasePeople,
  cloudbaseSettingsStore,
} from '../../lib/adapters/cloudbase/notifications';
import { cloudbaseUserStore } from '../../lib/adapters/cloudbase/users';
import { auditTrail } from '../../lib/store/audit';
import { dynamoArrivalStore, dynamoNoticeStore, dynamoPeople, dynamoSettingsStore } from '../../lib/store/notifications';
import { dynamoUserStore } from '../../lib/store/users';
import { activeLeader, paidOrder } from './people';
import { storeTargets } from './stores';

interface NotifyStores {
  notices: NoticeStore;
  settings: SettingsStore;
  people: People;
  arrivals: ArrivalStore;
  createUser(user: User, audit: AuditEvent): Promise<unknown>;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
}

const targets = storeTargets<NotifyStores>({
  dynamodb: (client) => ({
    notices: dynamoNoticeStore(client),
    settings: dynamoSettingsStore(client),
    people: dynamoPeople(client),
    arrivals: dynamoArrivalStore(client),
    createUser: (user, audit) => dynamoUserStore(client).create(user, audit),
    auditTrail: (id) => auditTrail(id, client),
  }),
  cloudbase: (db) => ({
    notices: cloudbaseNoticeStore(db),
    settings: cloudbaseSettingsStore(db),
    people: cloudbasePeople(db),
    arrivals: cloudbaseArrivalStore(db),
    createUser: (user, audit) => cloudbaseUserStore(db).create(user, audit),
    auditTrail: (id) => cloudbaseAuditTrail(id, db),
  }),
});

const NOW = new Date('2026-12-01T04:00:00.000Z');
const SITE = 'https://tuangou.example.cn';

/** A channel that records what it is handed; `failing` makes it throw as a provider that is down does. */
function recordingChannel() {
  const sent: OutgoingMessage[] = [];
  const channel = {
    failing: false,
    sent,
    async send(message: OutgoingMessage) {
      if (channel.failing) throw new Error('provider down (HTTP 503)');
      sent.push(message);
      return 'sent' as const;
    },
  };
  return channel;
}

describe.each(targets)('notifications on $name', (target) => {
  let stores: NotifyStores & { stop(): Promise<void> };
  const sms = recordingChannel();
  const wechat = recordingChannel();
  const orders = new Map<string, Order>();
  const leader = activeLeader('L-notify');
  let ids = 0;
  let delivery: DeliveryDeps;
  let planning: PlanningDeps;
  let deps: { delivery: DeliveryDeps; planning: PlanningDeps };

  beforeAll(async () => {
    stores = await target.start();
    const clock = { now: () => NOW };
    delivery = {
      notices: stores.notices,
      settings: stores.settings,
      people: stores.people,
      purchaseOrders: { current: () => Promise.reject(new Error('no purchase orders here')) },
      channels: { sms, wechat },
      clock,
      ids: { next: () => `claim-${++ids}` },
      site: SITE,
      leaseSeconds: 60,
      tries: 1,
      backoffMs: 1,
    };
    planning = {
      notices: stores.notices,
      orders: { get: async (id) => orders.get(id) },
      leaders: { get: async (id) => (id === leader.leaderId ? leader : undefined) },
      suppliers: { phonesOf: async () => [] },
      people: stores.people,
      clock,
      site: SITE,
    };
    deps = { delivery, planning };
  });
  afterAll(() => stores.stop());
  beforeEach(() => {
    sms.sent.length = 0;
    wechat.sent.length = 0;
    sms.failing = false;
  });

  const userAudit = (userId: string): AuditEvent => ({
    entityId: userId,
    entityType: 'user',
    action: 'user.created',
    actor: userId,
    at: NOW.toISOString(),
  });
  /** The notify consumer handed one change (as the queue or the outbox hands it on). */
  const deliver = (change: Omit<ChangeRecord, 'sequenceNumber'>) => onChange(deps, { sequenceNumber: '1', ...change });
  const noticeInsert = (notice: Notice) => deliver({ eventName: 'INSERT', newImage: { type: 'NOTICE', ...notice } });
  const leaderChange = (userId: string, phone: string, leaderId: string): Omit<ChangeRecord, 'sequenceNumber'> => ({
    eventName: 'MODIFY',
    newImage: { type: 'LEADER', leaderId, userId, phone, status: 'active' },
    oldImage: { type: 'LEADER', leaderId, userId, phone, status: 'pending' },
  });

  it('plans a change’s notice once and sends it once, however often and however concurrently it is delivered', async () => {
    await stores.createUser({ userId: 'u-applicant', phone: '13700000001', createdAt: NOW.toISOString() }, userAudit('u-applicant'));
    const change = leaderChange('u-applicant', '13700000001', 'L-new');
    await Promise.all([deliver(change), deliver(change), deliver(change)]);
    const notice = (await stores.notices.get('leader-decision:L-new'))!;
    expect(notice).toMatchObject({ template: 'leader_approved', status: 'pending', phone: '13700000001', userId: 'u-applicant' });

    // Its INSERT delivered three times at once: one sends, the others find it claimed (the queue comes again).
    const outcomes = await Promise.allSettled([noticeInsert(notice), noticeInsert(notice), noticeInsert(notice)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toMatch(/NoticeBusy|being sent/);
    await noticeInsert(notice); // and once more, later
    expect(sms.sent.map((m) => [m.to, m.template])).toEqual([['13700000001', 'leader_approved']]);
    expect(await stores.notices.get(notice.noticeId)).toMatchObject({ status: 'sent', channel: 'sms', sentAt: NOW.toISOString() });
    expect((await stores.notices.get(notice.noticeId))?.leaseToken).toBeUndefined();
  });

  it('gives a notice back when its channel fails, counting the attempt, and sends it on the next delivery', async () => {
    await stores.createUser({ userId: 'u-retry', phone: '13700000002', createdAt: NOW.toISOString() }, userAudit('u-retry'));
    await deliver(leaderChange('u-retry', '13700000002', 'L-retry'));
    const notice = (await stores.notices.get('leader-decision:L-retry'))!;
    sms.failing = true;
    await expect(noticeInsert(notice)).rejects.toThrow('provider down');
    expect(await stores.notices.get(notice.noticeId)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: expect.stringContaining('503'),
    });
    sms.failing = false;
    await noticeInsert(notice);
    expect(sms.sent.map((m) => m.to)).toEqual(['13700000002']);
    expect(await stores.notices.get(notice.noticeId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('honours a person’s settings: an opt-out silences what is not essential, never a pickup code; WeChat when bound', async () => {
    const person: Principal = { userId: 'u-quiet', roles: [] };
    await stores.createUser(
      { userId: 'u-quiet', phone: '13700000003', wechatOpenId: 'oQuietResident000000000000001', createdAt: NOW.toISOString() },
      userAudit('u-quiet'),
    );
    expect(await getSettings({ settings: stores.settings, people: stores.people, clock: { now: () => NOW } }, person)).toEqual({
      sms: true,
      wechat: true,
      wechatBound: true,
    });
    await putSettings({ settings: stores.settings, people: stores.people, clock: { now: () => NOW } }, person, {
      sms: false,
      wechat: false,
    });
    expect(await stores.settings.get('u-quiet')).toEqual({ sms: false, wechat: false });
    expect((await stores.auditTrail('u-quiet')).map((e) => e.action)).toEqual(['user.created', 'notifications.settings_changed']);

    await deliver(leaderChange('u-quiet', '13700000003', 'L-quiet'));
    await noticeInsert((await stores.notices.get('leader-decision:L-quiet'))!);
    expect(await stores.notices.get('leader-decision:L-quiet')).toMatchObject({ status: 'skipped', outcome: 'turned off by the person' });

    // A pickup code is essential: it still goes, by SMS.
    const { paid, next } = paidOrder({
      orderId: 'O-quiet',
      userId: 'u-quiet',
      leaderId: leader.leaderId,
      placedAt: '2026-11-30T03:00:00.000Z',
    });
    const ready = next(paid, { status: 'ready_for_pickup', pickupCode: '654321', contactPhone: '13700000003' });
    const pickup = pickupReadyNotice(ready, '幸福小区', SITE, NOW.toISOString());
    expect(await stores.notices.add(pickup)).toBe(true);
    await noticeInsert(pickup);
    // With WeChat back on, the next one goes by WeChat to the OPENID they signed in with.
    await putSettings({ settings: stores.settings, people: stores.people, clock: { now: () => NOW } }, person, {
      sms: false,
      wechat: true,
    });
    const secondPickup = { ...pickup, noticeId: `${pickup.noticeId}:again` };
    expect(await stores.notices.add(secondPickup)).toBe(true);
    await noticeInsert(secondPickup);
    const channelOf = (m: OutgoingMessage, channel: Channel) => [channel, m.to, m.template];
    expect([...sms.sent.map((m) => channelOf(m, 'sms')), ...wechat.sent.map((m) => channelOf(m, 'wechat'))]).toEqual([
      ['sms', '13700000003', 'pickup_ready'],
      ['wechat', 'oQuietResident000000000000001', 'pickup_ready'],
    ]);
  });

  it('tells each resident once that their goods arrived, however often the leader confirms', async () => {
    const { paid, next } = paidOrder({
      orderId: 'O-arrive',
      userId: 'u-arrive',
      leaderId: leader.leaderId,
      placedAt: '2026-11-30T03:00:00.000Z',
    });
    const ready = next(paid, { status: 'ready_for_pickup', pickupCode: '112233' });
    orders.set(ready.orderId, ready);
    const line: SheetLine = {
      leaderId: leader.leaderId,
      date: '2026-12-01',
      orderId: ready.orderId,
      pickupCode: '112233',
      contactName: '张*',
      contactPhone: '138****1234',
      status: 'ready_for_pickup',
      items: [{ productId: 'apple', name: '苹果', unit: '袋', quantity: 1 }],
      orderVersion: ready.version,
    };
    const arrivals = {
      leaders: { getByUser: async (userId: string) => (userId === leader.userId ? leader : undefined) },
      sheets: {
        sheetLines: async (leaderId: string, date: string) => (leaderId === leader.leaderId && date === '2026-12-01' ? [line] : []),
      },
      orders: { get: async (id: string) => orders.get(id) },
      arrivals: stores.arrivals,
      notices: stores.notices,
      clock: { now: () => NOW },
      site: SITE,
    };
    const me: Principal = { userId: leader.userId, roles: [] };
    const confirmed = await Promise.all([
      confirmArrival(arrivals, me, { date: '2026-12-01', productIds: ['apple'] }),
      confirmArrival(arrivals, me, { date: '2026-12-01' }),
    ]);
    expect(confirmed.map((c) => c.notified).sort()).toEqual([0, 1]);
    expect(await confirmArrival(arrivals, me, { date: '2026-12-01' })).toEqual({ date: '2026-12-01', notified: 0 });
    expect(await stores.arrivals.get(leader.leaderId, '2026-12-01')).toMatchObject({
      all: true,
      productIds: ['apple'],
      confirmations: 3,
      version: 3,
    });
    expect((await stores.auditTrail(`${leader.leaderId}#2026-12-01`)).map((e) => e.action)).toEqual(Array(3).fill('arrival.confirmed'));
    expect(await stores.notices.get(`pickup-ready:${ready.orderId}`)).toMatchObject({
      template: 'pickup_ready',
      params: { code: '112233' },
    });
  });
});
