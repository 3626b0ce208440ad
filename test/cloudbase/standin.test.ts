// The stand-in of CloudBase's database API, checked against what NOTES.md records of the real SDK and
// service: the same calls through the real `@cloudbase/node-sdk`, the answers NOTES.md says it gets.
import type { CloudBaseDb } from '../../lib/adapters/cloudbase/db';
import { makeCloudBaseDb } from '../../lib/adapters/cloudbase/db';
import type { CloudBaseStandIn } from './standin';
import { startStandIn } from './standin';

let standIn: CloudBaseStandIn;
let db: CloudBaseDb;

beforeAll(async () => {
  standIn = await startStandIn({ uniqueIndexes: { people: [['phone']] } });
  db = makeCloudBaseDb({ env: 'notes-env', serviceUrl: standIn.url });
});
afterAll(() => standIn.stop());

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: { code?: string }) => err.code,
  );

test('every call goes to serviceUrl with the env, an action and EJSON strings', async () => {
  standIn.requests.length = 0;
  await db.collection('stock').add({ _id: 's1', remaining: 3 });
  const [insert] = standIn.requests;
  expect(insert).toMatchObject({ action: 'database.insertDocument', collectionName: 'stock', env: 'notes-env' });
  expect(typeof (insert!.body.data as string[])[0]).toBe('string');
});

test('a conditional where().update() reports updated 1 when it applied and 0, without error, when not', async () => {
  const _ = db.command;
  const take = (q: number) =>
    db
      .collection('stock')
      .where({ _id: 's1', remaining: _.gte(q) })
      .update({ remaining: _.inc(-q) });
  expect(await take(2)).toMatchObject({ updated: 1 });
  expect(await take(2)).toMatchObject({ updated: 0 });
  const { data } = (await db.collection('stock').doc('s1').get()) as { data: { remaining: number }[] };
  expect(data[0]!.remaining).toBe(1);
});

test('update({data}) writes a nested `data` field (the wx-server-sdk habit does not carry over)', async () => {
  await db
    .collection('stock')
    .doc('s1')
    .update({ data: { remaining: 9 } });
  const { data } = (await db.collection('stock').doc('s1').get()) as { data: Record<string, unknown>[] };
  expect(data[0]).toMatchObject({ remaining: 1, data: { remaining: 9 } });
});

test('a repeated _id or unique index value is DATABASE_DUPLICATE_WRITE', async () => {
  expect(await codeOf(db.collection('stock').add({ _id: 's1', remaining: 1 }))).toBe('DATABASE_DUPLICATE_WRITE');
  await db.collection('people').add({ _id: 'p1', phone: '13800138000' });
  expect(await codeOf(db.collection('people').add({ _id: 'p2', phone: '13800138000' }))).toBe('DATABASE_DUPLICATE_WRITE');
});

test('queries return 100 documents unless told, and at most 1,000', async () => {
  for (let i = 0; i < 1005; i += 201) {
    await db
      .collection('many')
      .add(Array.from({ length: Math.min(201, 1005 - i) }, (_, j) => ({ _id: `m${String(i + j).padStart(4, '0')}` })));
  }
  expect(((await db.collection('many').get()) as { data: unknown[] }).data).toHaveLength(100);
  expect(((await db.collection('many').limit(1000).get()) as { data: unknown[] }).data).toHaveLength(1000);
  expect(((await db.collection('many').skip(1000).limit(1000).get()) as { data: unknown[] }).data).toHaveLength(5);
});

test('transactions: first writer wins, the other gets DATABASE_TRANSACTION_CONFLICT; a rollback leaves nothing', async () => {
  await db.collection('stock').add({ _id: 's2', remaining: 5 });
  const a = await db.startTransaction();
  const b = await db.startTransaction();
  await a
    .collection('stock')
    .doc('s2')
    .update({ remaining: db.command.inc(-1) });
  expect(
    await codeOf(
      b
        .collection('stock')
        .doc('s2')
        .update({ remaining: db.command.inc(-1) }),
    ),
  ).toBe('DATABASE_TRANSACTION_CONFLICT');
  await a.commit();
  const c = await db.startTransaction();
  await c
    .collection('stock')
    .doc('s2')
    .update({ remaining: db.command.inc(-4) });
  await c.collection('stock').add({ _id: 's3', remaining: 1 });
  await c.rollback(undefined);
  expect(standIn.documents('stock').find((d) => d._id === 's2')).toMatchObject({ remaining: 4 });
  expect(standIn.documents('stock').find((d) => d._id === 's3')).toBeUndefined();
});
