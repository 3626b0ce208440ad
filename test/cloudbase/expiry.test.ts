// CloudBase has no TTL: the expiry sweep removes what DynamoDB's TTL and SQS's retention would, and nothing
// else. Codes and sign-ins are written by the real CloudBase stores, dead outbox items by the real sweep; then
// the sweep runs before and after each keep-until time. Real SDK, stand-in database.
import type { SQSEvent } from 'aws-lambda';
import type { CloudBaseDb } from '../../lib/adapters/cloudbase/db';
import { makeCloudBaseDb, inTransaction } from '../../lib/adapters/cloudbase/db';
import { DEAD_OUTBOX_KEEP_MS, removeExpired } from '../../lib/adapters/cloudbase/expiry';
import { outboxAdd, sweepOutbox } from '../../lib/adapters/cloudbase/outbox';
import { cloudbaseSessionStore } from '../../lib/adapters/cloudbase/sessions';
import { cloudbaseCodeStore } from '../../lib/adapters/cloudbase/sms-codes';
import { CONSUMER_ROUTES } from '../../lib/runtime/stream-routes';
import type { RefreshTokenRecord } from '../../schemas/auth';
import type { CloudBaseStandIn } from './standin';
import { startStandIn } from './standin';

let standIn: CloudBaseStandIn;
let db: CloudBaseDb;
beforeAll(async () => {
  standIn = await startStandIn({});
  db = makeCloudBaseDb({ env: 'expiry-test', serviceUrl: standIn.url });
});
afterAll(() => standIn.stop());

const T0 = Date.parse('2026-12-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const iso = (ms: number) => at(ms).toISOString();
const MINUTE = 60_000;
const DAY = 86_400_000;
const ids = (collection: string) =>
  standIn
    .documents(collection)
    .map((d) => String(d._id))
    .sort();
const audit = { entityId: 'u1', entityType: 'USER', action: 'signed_in', actor: 'u1', at: iso(0) };

const token = (tokenHash: string, issuedMs: number, ttlMs: number): RefreshTokenRecord => ({
  tokenHash,
  sessionId: 's1',
  userId: 'u1',
  status: 'current',
  issuedAt: iso(issuedMs),
  expiresAt: iso(issuedMs + ttlMs),
});

test('codes and send logs go a day after they stop mattering; a newer code of the same phone stays', async () => {
  const codes = cloudbaseCodeStore(db);
  const code = (phone: string, sentMs: number) => ({
    phone,
    codeHash: `h-${phone}`,
    sentAt: iso(sentMs),
    expiresAt: iso(sentMs + 5 * MINUTE),
    attempts: 0,
  });
  expect(
    await codes.saveCode(code('13800000001', 0), [
      { key: 'phone#13800000001', before: { sends: [], version: 0 }, after: [T0], keepUntil: T0 + DAY },
    ]),
  ).toBe('saved');
  expect(await codes.saveCode(code('13800000002', 2 * DAY), [])).toBe('saved');

  // Expired but within the day codes are kept for support questions: nothing goes.
  expect(await removeExpired(db, at(DAY))).toMatchObject({ smsCodes: 0, smsSendLogs: 0 });
  expect(ids('smsCodes')).toEqual(['13800000001', '13800000002']);

  const removed = await removeExpired(db, at(DAY + 6 * MINUTE));
  expect(removed).toMatchObject({ smsCodes: 1, smsSendLogs: 1 });
  expect(ids('smsCodes')).toEqual(['13800000002']);
  expect(ids('smsSendLogs')).toEqual([]);
  // The code that is still current can still be tried.
  expect(await codes.countAttempt('13800000002', iso(2 * DAY + MINUTE), 5)).toMatchObject({ attempts: 1 });
});

test('a sign-in stays while its newest refresh token can be used, and goes with its tokens after', async () => {
  const sessions = cloudbaseSessionStore(db);
  const first = token('t1', 0, 30 * DAY);
  await sessions.start({ sessionId: 's1', userId: 'u1', method: 'sms', status: 'active', createdAt: iso(0) }, first, audit);
  // Refreshed on day 20: the sign-in now lasts until day 50, the first token (rotated) until day 30.
  const second = token('t2', 20 * DAY, 30 * DAY);
  expect(await sessions.rotate(first, second, iso(20 * DAY))).toBe('rotated');

  expect(await removeExpired(db, at(30 * DAY - 1))).toMatchObject({ sessions: 0, refreshTokens: 0 });
  expect(await removeExpired(db, at(31 * DAY))).toMatchObject({ sessions: 0, refreshTokens: 1 });
  expect(ids('refreshTokens')).toEqual(['t2']);
  expect(await sessions.get('s1')).toMatchObject({ status: 'active' });

  expect(await removeExpired(db, at(51 * DAY))).toMatchObject({ sessions: 1, refreshTokens: 1 });
  expect(await sessions.get('s1')).toBeUndefined();
  expect(ids('refreshTokens')).toEqual([]);
});

test('a dead outbox item is kept 14 days, as a dead-letter queue keeps it; pending items are never swept', async () => {
  const refunds = CONSUMER_ROUTES.find((r) => r.name === 'refunds')!;
  const change = (refundId: string) => ({
    eventName: 'INSERT' as const,
    type: 'REFUND',
    key: `O1#${refundId}`,
    image: { refundId, orderId: 'O1', amountFen: 100, status: 'requested' },
  });
  await inTransaction(db, (tx) => outboxAdd(tx, change('r-dead'), at(0)));
  // A consumer that always fails: each sweep, one visibility timeout after the last, receives it again until dead.
  const failing = async (event: SQSEvent) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) });
  let now = 0;
  for (let receive = 1; receive <= refunds.maxReceiveCount; receive++) {
    await sweepOutbox(db, 'refunds', failing, { now: () => at(now) });
    now += refunds.visibilityTimeoutSeconds * 1000 + 1;
  }
  const diedAt = now - refunds.visibilityTimeoutSeconds * 1000 - 1;
  expect(standIn.documents('outbox')).toEqual([expect.objectContaining({ status: 'dead', keepUntil: iso(diedAt + DEAD_OUTBOX_KEEP_MS) })]);
  // A change written later and not yet delivered.
  await inTransaction(db, (tx) => outboxAdd(tx, change('r-pending'), at(now)));

  expect(await removeExpired(db, at(diedAt + DEAD_OUTBOX_KEEP_MS - 1))).toMatchObject({ outbox: 0 });
  expect(await removeExpired(db, at(diedAt + DEAD_OUTBOX_KEEP_MS + 1))).toMatchObject({ outbox: 1 });
  expect(standIn.documents('outbox')).toEqual([expect.objectContaining({ status: 'pending', receiveCount: 0 })]);
});
