// Which changes cause which notices, and that a change seen again causes none.
import type { Notice } from '../../schemas/notifications';
import type { ChangeRecord } from '../runtime/stream';
import type { PlanningDeps } from './planning';
import { planNotices } from './planning';

function setup() {
  const notices = new Map<string, Notice>();
  const deps: PlanningDeps = {
    notices: {
      async add(n) {
        if (notices.has(n.noticeId)) return false;
        notices.set(n.noticeId, n);
        return true;
      },
    },
    orders: { get: async () => undefined },
    leaders: { get: async () => undefined },
    suppliers: { phonesOf: async () => ['13700002222', '13700003333'] },
    people: { userIdByPhone: async (phone) => (phone === '13700003333' ? 'u-member' : undefined) },
    clock: { now: () => new Date('2026-12-01T02:00:00Z') },
    site: 'https://tuan.example.cn',
  };
  return { deps, notices };
}

const change = (newImage: Record<string, unknown>, oldImage?: Record<string, unknown>): ChangeRecord => ({
  eventName: oldImage ? 'MODIFY' : 'INSERT',
  sequenceNumber: '1',
  newImage,
  ...(oldImage ? { oldImage } : {}),
});

const leader = { type: 'LEADER', leaderId: 'l1', userId: 'u1', phone: '13900001111' };

test('a leader is told of the decision once: a reinstatement after a suspension is no new decision', async () => {
  const { deps, notices } = setup();
  expect(await planNotices(deps, change({ ...leader, status: 'active' }, { ...leader, status: 'pending' }))).toBe(1);
  expect(await planNotices(deps, change({ ...leader, status: 'active' }, { ...leader, status: 'pending' }))).toBe(0);
  expect(await planNotices(deps, change({ ...leader, status: 'active' }, { ...leader, status: 'suspended' }))).toBe(0);
  // Another write that leaves the status as it was causes nothing.
  expect(await planNotices(deps, change({ ...leader, status: 'active', name: '新' }, { ...leader, status: 'active' }))).toBe(0);
  expect([...notices.values()]).toEqual([
    expect.objectContaining({ noticeId: 'leader-decision:l1', template: 'leader_approved', phone: '13900001111', userId: 'u1' }),
  ]);
});

test('each revision of a purchase order is one notice per member phone; an acknowledgement (same revision) is none', async () => {
  const { deps, notices } = setup();
  const po = { type: 'PURCHASE_ORDER', purchaseOrderId: 's1-2026-12-02', supplierId: 's1', deliveryDate: '2026-12-02', part: 1 };
  expect(await planNotices(deps, change({ ...po, revision: 1 }))).toBe(2);
  expect(await planNotices(deps, change({ ...po, revision: 1, status: 'acknowledged' }, { ...po, revision: 1 }))).toBe(0);
  expect(await planNotices(deps, change({ ...po, revision: 2 }, { ...po, revision: 1 }))).toBe(2);
  expect([...notices.values()].map((n) => [n.noticeId, n.template, n.userId])).toEqual([
    ['po:s1-2026-12-02:r1:13700002222', 'po_issued', undefined],
    ['po:s1-2026-12-02:r1:13700003333', 'po_issued', 'u-member'],
    ['po:s1-2026-12-02:r2:13700002222', 'po_revised', undefined],
    ['po:s1-2026-12-02:r2:13700003333', 'po_revised', 'u-member'],
  ]);
});

test('a refund is told when it went through, not when it is asked for', async () => {
  const { deps, notices } = setup();
  const refund = { type: 'REFUND', refundId: 'r1', orderId: 'o1', amountFen: 300, reason: '鸡蛋破损' };
  deps.orders.get = async () =>
    ({
      orderId: 'o1',
      userId: 'u2',
      contactPhone: '13812341234',
      items: [{ productId: 'p1', name: '土鸡蛋', amountFen: 2000, refundedFen: 300 }],
    }) as never;
  expect(await planNotices(deps, change({ ...refund, status: 'requested' }))).toBe(0);
  expect(await planNotices(deps, change({ ...refund, status: 'succeeded' }, { ...refund, status: 'submitted' }))).toBe(1);
  expect(notices.get('refund:o1:r1')).toMatchObject({
    template: 'refunded',
    params: { goods: '土鸡蛋', amount: '3.00', reason: '鸡蛋破损' },
    phone: '13812341234',
    userId: 'u2',
  });
});
