// The customers function's CloudBase entry and the customerBook consumer's, called as CloudBase calls them: paid
// orders' changes in the outbox (as the orders adapter writes them, one of them twice) are applied by the
// customerBook timer sweep, and the leader reads their customer book and stats through HTTP access.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent, CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';
import type { Order } from '../../schemas/orders';
import { standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { activeLeader, paidOrder } from '../../test/contract/people';

const sample = <T = CloudBaseHttpEvent>(name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8')) as T;
const timer = sample<CloudBaseTimerEvent>('timer.json');

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
let sweep: typeof import('../customer-book/cloudbase').main;
let token: string;
let changed: (order: Order) => Promise<void>;
const leader = activeLeader('L1');
const placedAt = new Date(Date.now() - 2 * 86_400_000).toISOString();

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  ({ main: sweep } = await import('../customer-book/cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { inTransaction } = await import('../../lib/adapters/cloudbase/db');
  const { outboxAdd } = await import('../../lib/adapters/cloudbase/outbox');
  token = await stageIdentity.issue({ userId: leader.userId, roles: [] });
  const db = await standInDb(standIn);
  await db
    .collection('leaders')
    .doc(leader.leaderId)
    .set({ ...leader });
  // An order's change, as the orders adapter writes it in the transaction that changes the order.
  changed = async (order) => {
    await inTransaction(db, (tx) => outboxAdd(tx, { eventName: 'MODIFY', type: 'ORDER', key: order.orderId, image: order }));
  };
});

function listEvent(query: Record<string, string> = { limit: '20' }): CloudBaseHttpEvent {
  const event = sample('customers-list.json');
  return { ...event, queryStringParameters: query, headers: { ...event.headers, authorization: `Bearer ${token}` } };
}

test('paid orders swept from the outbox appear in the leader’s customer book and stats, each once', async () => {
  const a = paidOrder({ orderId: 'O-a', userId: 'u-a', leaderId: 'L1', placedAt, quantity: 2 });
  const b = paidOrder({ orderId: 'O-b', userId: 'u-b', leaderId: 'L1', placedAt });
  const aReady = a.next(a.paid, { status: 'ready_for_pickup', pickupCode: '135790' });
  // The newer image of O-a first, then its older one, and O-b's change twice (a redelivery).
  for (const order of [aReady, a.paid, b.paid, b.paid]) await changed(order);
  expect(standIn.documents('outbox').filter((d) => d.consumer === 'customerBook')).toHaveLength(4);
  expect(await sweep(timer, { request_id: 'sweep-1', function_name: 'customerBook', time_limit_in_ms: 60_000 })).toEqual({
    delivered: 4,
    failed: 0,
    dead: 0,
  });
  expect(standIn.documents('outbox').filter((d) => d.consumer === 'customerBook')).toEqual([]);

  const listed = await main(listEvent(), { request_id: 'r1', function_name: 'customers' });
  expect(listed.statusCode).toBe(200);
  const body = JSON.parse(listed.body!) as { items: { orders: number; spentFen: number; contactPhone: string }[] };
  expect(body.items.map((c) => [c.orders, c.spentFen, c.contactPhone]).sort()).toEqual([
    [1, 1200, '138****1234'],
    [1, 2400, '138****1234'],
  ]);
  expect(listed.body).not.toMatch(/u-[ab]|13812341234/);

  const stats = await main({ ...listEvent({ days: '7' }), path: '/leaders/me/stats' });
  expect([stats.statusCode, JSON.parse(stats.body!)]).toEqual([
    200,
    expect.objectContaining({ leaderId: 'L1', customers: 2, newCustomers: 2, orders: 2, gmvFen: 3600 }),
  ]);
});

test('answers 401 without a token and 404 to a user who is no leader', async () => {
  const event = listEvent();
  expect((await main({ ...event, headers: { ...event.headers, authorization: undefined } })).statusCode).toBe(401);
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const resident = await stageIdentity.issue({ userId: 'u-a', roles: [] });
  const answer = await main({ ...event, headers: { ...event.headers, authorization: `Bearer ${resident}` } });
  expect([answer.statusCode, JSON.parse(answer.body!)]).toEqual([404, { error: expect.objectContaining({ code: 'NOT_FOUND' }) }]);
});
