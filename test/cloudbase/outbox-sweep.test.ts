// The outbox sweep that stands in for SQS on CloudBase: the changes a transaction wrote reach their consumer
// through its queue entry, each once when it succeeds, again after the visibility timeout when it fails, and
// never again once it has failed as often as stream-routes.json allows (kept, marked dead). Two sweeps at once
// never hand over the same item. Real SDK, stand-in database.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { changeOf } from '../../lib/runtime/stream';
import { CONSUMER_ROUTES } from '../../lib/runtime/stream-routes';
import type { CloudBaseDb } from '../../lib/adapters/cloudbase/db';
import { makeCloudBaseDb, inTransaction } from '../../lib/adapters/cloudbase/db';
import type { QueueEntry } from '../../lib/adapters/cloudbase/outbox';
import { outboxAdd, outboxFunction, sweepOutbox } from '../../lib/adapters/cloudbase/outbox';
import type { CloudBaseStandIn } from './standin';
import { startStandIn } from './standin';

let standIn: CloudBaseStandIn;
let db: CloudBaseDb;
beforeAll(async () => {
  standIn = await startStandIn({});
  db = makeCloudBaseDb({ env: 'sweep-test', serviceUrl: standIn.url });
});
afterAll(() => standIn.stop());

const T0 = new Date('2026-12-01T08:00:00.000Z');
const refunds = CONSUMER_ROUTES.find((r) => r.name === 'refunds')!;

/** Requested refunds, each written (with its outbox item) in a transaction of its own. */
async function requestRefunds(refundIds: string[], at = T0) {
  for (const refundId of refundIds)
    await inTransaction(db, (tx) =>
      outboxAdd(
        tx,
        {
          eventName: 'INSERT',
          type: 'REFUND',
          key: `O1#${refundId}`,
          image: { refundId, orderId: 'O1', amountFen: 100, status: 'requested' },
        },
        at,
      ),
    );
}

/** A consumer that records the refund ids it was handed and fails the ones `fails` names. */
function consumer(fails: (refundId: string) => boolean = () => false) {
  const seen: string[] = [];
  const deliver: QueueEntry = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const refundId = String(changeOf(record).newImage?.refundId);
      seen.push(refundId);
      if (fails(refundId)) batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
  return { seen, deliver };
}

const pending = (consumerName: string) => standIn.documents('outbox').filter((d) => d.consumer === consumerName);

beforeEach(async () => {
  for (const d of standIn.documents('outbox')) await db.collection('outbox').doc(String(d._id)).remove();
});

test('delivers each change once to its consumer, in batches, and removes what succeeded', async () => {
  await requestRefunds(['R1', 'R2', 'R3']);
  const { seen, deliver } = consumer();
  const result = await sweepOutbox(db, 'refunds', deliver, { now: () => T0, batchSize: 2 });
  expect(result).toEqual({ delivered: 3, failed: 0, dead: 0 });
  expect(seen.sort()).toEqual(['R1', 'R2', 'R3']);
  expect(pending('refunds')).toEqual([]);
  // Nothing left: a second sweep hands over nothing.
  expect(await sweepOutbox(db, 'refunds', deliver, { now: () => T0 })).toEqual({ delivered: 0, failed: 0, dead: 0 });
  expect(seen).toHaveLength(3);
});

test('a failed change comes back after the visibility timeout, and is kept as dead after the last receive allowed', async () => {
  await requestRefunds(['R1', 'R2']);
  const { seen, deliver } = consumer((id) => id === 'R2');
  expect(await sweepOutbox(db, 'refunds', deliver, { now: () => T0 })).toEqual({ delivered: 1, failed: 1, dead: 0 });
  // Hidden until the timeout: a sweep a second before it sees nothing.
  const justBefore = new Date(T0.getTime() + refunds.visibilityTimeoutSeconds * 1000 - 1000);
  expect(await sweepOutbox(db, 'refunds', deliver, { now: () => justBefore })).toEqual({ delivered: 0, failed: 0, dead: 0 });
  // Then received again, until maxReceiveCount receives have failed.
  let at = T0;
  for (let receive = 2; receive <= refunds.maxReceiveCount; receive++) {
    at = new Date(at.getTime() + refunds.visibilityTimeoutSeconds * 1000);
    const last = receive === refunds.maxReceiveCount;
    expect(await sweepOutbox(db, 'refunds', deliver, { now: () => at })).toEqual({
      delivered: 0,
      failed: last ? 0 : 1,
      dead: last ? 1 : 0,
    });
  }
  expect(seen.filter((id) => id === 'R2')).toHaveLength(refunds.maxReceiveCount);
  expect(pending('refunds')).toEqual([expect.objectContaining({ status: 'dead', receiveCount: refunds.maxReceiveCount })]);
  // Dead is dead: a sweep a day later leaves it alone.
  const dayLater = new Date(at.getTime() + 86_400_000);
  expect(await sweepOutbox(db, 'refunds', deliver, { now: () => dayLater })).toEqual({ delivered: 0, failed: 0, dead: 0 });
});

test('a consumer that throws fails its whole batch, which comes again', async () => {
  await requestRefunds(['R1']);
  const broken: QueueEntry = () => Promise.reject(new Error('consumer down'));
  expect(await sweepOutbox(db, 'refunds', broken, { now: () => T0 })).toEqual({ delivered: 0, failed: 1, dead: 0 });
  const { seen, deliver } = consumer();
  const later = new Date(T0.getTime() + refunds.visibilityTimeoutSeconds * 1000);
  expect(await sweepOutbox(db, 'refunds', deliver, { now: () => later })).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(seen).toEqual(['R1']);
});

test('two sweeps at once hand over each change once between them; other consumers’ items stay', async () => {
  await requestRefunds(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
  // An order with a pickup code goes to the pickup sheets and the purchase orders, not to refunds.
  await inTransaction(db, (tx) =>
    outboxAdd(tx, { eventName: 'MODIFY', type: 'ORDER', key: 'O9', image: { orderId: 'O9', status: 'paid', pickupCode: '1234' } }, T0),
  );
  const a = consumer();
  const b = consumer();
  const [ra, rb] = await Promise.all([
    sweepOutbox(db, 'refunds', a.deliver, { now: () => T0, batchSize: 2 }),
    sweepOutbox(db, 'refunds', b.deliver, { now: () => T0, batchSize: 2 }),
  ]);
  expect(ra.delivered + rb.delivered).toBe(6);
  expect([...a.seen, ...b.seen].sort()).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6']);
  expect(pending('refunds')).toEqual([]);
  expect(pending('pickupSheets')).toHaveLength(1);
});

test('the function a timer runs sweeps the consumer it names, with the time its context leaves', async () => {
  await requestRefunds(['R7'], new Date());
  const { seen, deliver } = consumer();
  const main = outboxFunction('refunds', deliver, () => db);
  const timer = { Type: 'Timer' as const, TriggerName: 'sweep', Time: T0.toISOString() };
  // Too little time left to start a batch: nothing is claimed.
  expect(await main(timer, { request_id: 'r0', time_limit_in_ms: 1_000 })).toEqual({ delivered: 0, failed: 0, dead: 0 });
  expect(await main(timer, { request_id: 'r1', time_limit_in_ms: 60_000 })).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(seen).toEqual(['R7']);
});
