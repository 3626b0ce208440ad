// The leaders function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples in
// events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in:
// residents apply, an operator reviews them, and the notify consumer finds each decision in its outbox.
import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { accessEvent, useFunctionStandIn } from '../../test/cloudbase/function-env';

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
let operator: string;
let resident: string;
let neighbour: string;

const json = (r: { body?: string }) => JSON.parse(r.body!) as Record<string, unknown>;
/** The leader images waiting in the notify consumer's outbox. */
const notifyOutbox = () =>
  standIn
    .documents('outbox')
    .filter((d) => d.consumer === 'notify')
    .map((d) => unmarshall((JSON.parse(String(d.body)) as DynamoDBRecord).dynamodb!.NewImage as never))
    .map((image) => ({
      type: image.type as string,
      leaderId: image.leaderId as string,
      status: image.status as string,
      phone: image.phone as string,
    }));

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  operator = await stageIdentity.issue({ userId: 'u-operator', roles: ['operator'] });
  resident = await stageIdentity.issue({ userId: 'u-zhangli', roles: [] });
  neighbour = await stageIdentity.issue({ userId: 'u-neighbour', roles: [] });
});

const review = (leaderId: string, action: string, token: string, body?: unknown) =>
  main(accessEvent('leaders-approve.json', { path: `/leaders/${leaderId}/${action}`, token, ...(body ? { body } : {}) }));

test('a resident applies once; an operator finds the application and approves it; the notify consumer is told', async () => {
  const applied = await main(accessEvent('leaders-apply.json', { token: resident }));
  expect([applied.statusCode, json(applied)]).toEqual([
    201,
    { leaderId: expect.any(String), status: 'pending', referralCode: expect.any(String) },
  ]);
  const { leaderId } = json(applied) as { leaderId: string };
  expect(standIn.documents('leaders')).toEqual([
    expect.objectContaining({ _id: leaderId, userId: 'u-zhangli', status: 'pending', version: 1 }),
  ]);
  const again = await main(accessEvent('leaders-apply.json', { token: resident }));
  expect([again.statusCode, json(again)]).toEqual([409, { error: expect.objectContaining({ code: 'CONFLICT' }) }]);
  expect(standIn.documents('leaders')).toHaveLength(1);

  const mine = await main(accessEvent('orders-get.json', { path: '/leaders/me', token: resident }));
  expect([mine.statusCode, json(mine)]).toEqual([200, expect.objectContaining({ leaderId, status: 'pending', name: '张丽' })]);
  const pending = await main(
    accessEvent('orders-get.json', { path: '/leaders', query: { status: 'pending', limit: '10' }, token: operator }),
  );
  expect([pending.statusCode, (json(pending).items as { leaderId: string }[]).map((l) => l.leaderId)]).toEqual([200, [leaderId]]);
  // Nobody is told of an application.
  expect(notifyOutbox()).toEqual([]);

  // Only an operator reviews.
  expect((await review(leaderId, 'approve', resident)).statusCode).toBe(403);
  const approved = await review(leaderId, 'approve', operator);
  expect([approved.statusCode, json(approved)]).toEqual([200, { leaderId, status: 'active' }]);
  expect(standIn.documents('leaders')).toEqual([expect.objectContaining({ _id: leaderId, status: 'active', version: 2 })]);
  expect(
    standIn
      .documents('audit')
      .filter((d) => d.entityId === leaderId)
      .map((d) => [d.action, d.actor]),
  ).toEqual([
    ['leader.applied', 'u-zhangli'],
    ['leader.approve', 'u-operator'],
  ]);
  expect(notifyOutbox()).toEqual([{ type: 'LEADER', leaderId, status: 'active', phone: '13912345678' }]);
});

test('a rejection is told too, a suspension is not; a leader sets the capacity of their pickup point', async () => {
  const applied = await main(accessEvent('leaders-apply.json', { token: neighbour }));
  const { leaderId } = json(applied) as { leaderId: string };
  const rejected = await review(leaderId, 'reject', operator, { reason: '不在服务范围' });
  expect([rejected.statusCode, json(rejected)]).toEqual([200, { leaderId, status: 'rejected' }]);
  expect(notifyOutbox().filter((n) => n.leaderId === leaderId)).toEqual([expect.objectContaining({ status: 'rejected' })]);

  const capacity = await main({
    ...accessEvent('leaders-apply.json', { path: '/leaders/me', body: { pickupPoint: { dailyOrderCapacity: 120 } }, token: resident }),
    httpMethod: 'PATCH',
  });
  expect([capacity.statusCode, json(capacity)]).toEqual([
    200,
    expect.objectContaining({ pickupPoint: expect.objectContaining({ dailyOrderCapacity: 120 }) }),
  ]);
  const active = standIn.documents('leaders').find((d) => d.userId === 'u-zhangli')!;
  const suspended = await review(String(active._id), 'suspend', operator, { reason: '投诉' });
  expect([suspended.statusCode, json(suspended)]).toEqual([200, { leaderId: active._id, status: 'suspended' }]);
  expect(standIn.documents('leaders').find((d) => d._id === active._id)).toMatchObject({
    status: 'suspended',
    version: 4,
    statusReason: '投诉',
  });
  // Still the one approval for this leader: the capacity change and the suspension are no decision notify tells.
  expect(notifyOutbox().filter((n) => n.leaderId === active._id)).toEqual([expect.objectContaining({ status: 'active' })]);
});

test('serves customers’ stats of a named leader (the prefix /leaders/{leaderId}/… is this function’s on CloudBase)', async () => {
  const leaderId = String(standIn.documents('leaders').find((d) => d.userId === 'u-zhangli')!._id);
  const stats = await main(accessEvent('orders-get.json', { path: `/leaders/${leaderId}/stats`, token: operator }));
  expect([stats.statusCode, json(stats)]).toEqual([200, expect.objectContaining({ leaderId })]);
  const other = await main(accessEvent('orders-get.json', { path: `/leaders/${leaderId}/stats`, token: neighbour }));
  expect(other.statusCode).toBe(403);
});
