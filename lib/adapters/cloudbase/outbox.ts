// The outbox: CloudBase has no change stream like DynamoDB's, so each change that some consumer of
// lib/runtime/stream-routes.json wants is written, in the same transaction as the change, as one outbox item
// per consumer. The item carries the change in the very shape the stream router gives a consumer (a stream
// record with the new image), so that the same filters pick it and the same consumer handlers read it. Each
// consumer's CloudBase function is run by a timer and sweeps its own items (`outboxFunction`): it claims each
// with a conditional update (as SQS hides a received message for the visibility timeout), hands the claimed
// ones to the consumer's queue entry as an SQS event, removes what succeeded, and lets a failure come back
// after the timeout, until `maxReceiveCount` receives mark it dead (the dead-letter queue's part: kept 14 days).
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ulid } from '../../runtime/clock';
import type { CloudBaseContext, CloudBaseTimerEvent } from '../../runtime/cloudbase-http';
import { lambdaContextOf } from '../../runtime/cloudbase-http';
import { matchesAnyFilter } from '../../runtime/filter-patterns';
import { logger } from '../../runtime/observability';
import { messageBody } from '../../runtime/stream-router';
import type { ConsumerRoute } from '../../runtime/stream-routes';
import { CONSUMER_ROUTES } from '../../runtime/stream-routes';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb, StoredDoc, Transaction } from './db';
import { clean, cloudbaseDb, txDoc } from './db';
import { DEAD_OUTBOX_KEEP_MS } from './expiry';

/** A change of an entity: what the DynamoDB item would be (`type` and the entity's fields) and its key. */
export interface Change {
  eventName: 'INSERT' | 'MODIFY';
  /** The entity's type as the routes filter on it (`ORDER`, `REFUND`, `GROUP_BUY`). */
  type: string;
  /** Where it lives (for the record's `Keys`; consumers do not read it). */
  key: string;
  image: Record<string, unknown>;
}

export interface OutboxItem {
  consumer: string;
  /** The consumer's message body: a stream record, as the stream router sends it. */
  body: string;
  /** Visible to the sweep from then on (a claim moves it on by the consumer's visibility timeout). */
  availableAt: string;
  receiveCount: number;
  createdAt: string;
  status: 'pending' | 'dead';
}

/** The stream record of a change, and the consumers whose filters it matches. */
export function routeChange(change: Change, routes: ConsumerRoute[] = CONSUMER_ROUTES) {
  const id = ulid();
  const record: DynamoDBRecord = {
    eventID: id,
    eventName: change.eventName,
    dynamodb: {
      Keys: marshall({ key: change.key }) as never,
      NewImage: marshall(clean({ ...change.image, type: change.type }), { removeUndefinedValues: true }) as never,
      SequenceNumber: id,
    },
  };
  return { id, record, consumers: routes.filter((r) => matchesAnyFilter(record, r.filterPatterns)).map((r) => r.name) };
}

/** Writes, inside the transaction of the change, one outbox item for each consumer that wants it. */
export async function outboxAdd(tx: Transaction, change: Change, now: Date = new Date()): Promise<string[]> {
  const { id, record, consumers } = routeChange(change);
  const body = messageBody(record);
  for (const consumer of consumers) {
    const item: OutboxItem = {
      consumer,
      body,
      availableAt: now.toISOString(),
      receiveCount: 0,
      createdAt: now.toISOString(),
      status: 'pending',
    };
    await txDoc(tx, COLLECTIONS.outbox, `${id}-${consumer}`).create({ ...item });
  }
  return consumers;
}

/** A consumer's queue entry (`queueFunction`): failures are reported one message at a time. */
export type QueueEntry = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

export interface SweepOptions {
  now?: () => Date;
  /** Items claimed and handed over at once (SQS's batch size). */
  batchSize?: number;
  /** Time left to work; no batch is started with less than 5 s of it. */
  timeLeftMs?: () => number;
  context?: Context;
}

export interface SweepResult {
  delivered: number;
  /** Handed over and failed: visible again after the visibility timeout. */
  failed: number;
  /** Failed for the last time allowed: kept, marked dead, delivered no more. */
  dead: number;
}

const route = (consumer: string): ConsumerRoute => {
  const found = CONSUMER_ROUTES.find((r) => r.name === consumer);
  if (!found) throw new Error(`No consumer ${consumer} in stream-routes.json`);
  return found;
};

/** The SQS record an outbox item is delivered as (the consumers read `messageId`, `body` and the receive count). */
function asRecord(id: string, item: OutboxItem, receiveCount: number): SQSRecord {
  return {
    messageId: id,
    receiptHandle: id,
    body: item.body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: String(Date.parse(item.createdAt)),
      SenderId: 'outbox',
      ApproximateFirstReceiveTimestamp: String(Date.parse(item.createdAt)),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'cloudbase:outbox',
    eventSourceARN: `outbox:${item.consumer}`,
    awsRegion: '',
  };
}

/**
 * Delivers the consumer's visible outbox items, oldest first, in batches, until none is left or time runs
 * short. At least once, like the queues: an item whose claim outlives its visibility timeout (a killed sweep)
 * is claimed again by a later sweep, so the consumers stay idempotent as they are on AWS.
 */
export async function sweepOutbox(
  db: CloudBaseDb,
  consumer: string,
  deliver: QueueEntry,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const { visibilityTimeoutSeconds, maxReceiveCount } = route(consumer);
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 10;
  const outbox = db.collection(COLLECTIONS.outbox);
  const _ = db.command;
  const result: SweepResult = { delivered: 0, failed: 0, dead: 0 };
  for (;;) {
    if (options.timeLeftMs && options.timeLeftMs() < 5_000) return result;
    const at = now();
    const { data } = (await outbox
      .where({ consumer, status: 'pending', availableAt: _.lte(at.toISOString()) })
      .orderBy('availableAt', 'asc')
      .limit(batchSize)
      .get()) as { data: (StoredDoc & OutboxItem)[] };
    if (!data.length) return result;

    // Claimed: hidden from other sweeps until the visibility timeout (the update matches only the state read).
    const hiddenUntil = new Date(at.getTime() + visibilityTimeoutSeconds * 1000).toISOString();
    const claimed: { id: string; item: OutboxItem; receiveCount: number }[] = [];
    for (const doc of data) {
      const id = String(doc._id);
      const { updated } = (await outbox
        .where({ _id: id, status: 'pending', availableAt: doc.availableAt, receiveCount: doc.receiveCount })
        .update({ availableAt: hiddenUntil, receiveCount: _.inc(1) })) as { updated?: number };
      if (updated === 1) claimed.push({ id, item: doc, receiveCount: doc.receiveCount + 1 });
    }
    if (!claimed.length) continue;

    let failedIds: Set<string>;
    try {
      const response = await deliver({ Records: claimed.map((c) => asRecord(c.id, c.item, c.receiveCount)) }, options.context);
      failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch (err) {
      logger.error('The consumer failed its whole batch; its items come again', { consumer, error: String(err) });
      failedIds = new Set(claimed.map((c) => c.id));
    }
    for (const c of claimed) {
      if (!failedIds.has(c.id)) {
        await outbox.doc(c.id).remove();
        result.delivered++;
      } else if (c.receiveCount >= maxReceiveCount) {
        const deadAt = now();
        const keepUntil = new Date(deadAt.getTime() + DEAD_OUTBOX_KEEP_MS).toISOString();
        await outbox.doc(c.id).update({ status: 'dead', deadAt: deadAt.toISOString(), keepUntil });
        logger.error('An outbox item failed its last delivery: kept as dead', { consumer, id: c.id, receiveCount: c.receiveCount });
        result.dead++;
      } else result.failed++;
    }
    if (data.length < batchSize) return result;
  }
}

/**
 * `exports.main` of a consumer's CloudBase function: a timer trigger runs it, and it sweeps the consumer's
 * outbox items into the consumer's queue entry (the AWS function's own `main`).
 */
export const outboxFunction =
  (consumer: string, deliver: QueueEntry, db: () => CloudBaseDb = cloudbaseDb) =>
  (_event: CloudBaseTimerEvent, context?: CloudBaseContext): Promise<SweepResult> => {
    // The consumer's entry logs and publishes its metrics itself (`queueFunction` runs it `observed`).
    const lambda = lambdaContextOf(context, context?.request_id ?? '');
    return sweepOutbox(db(), consumer, deliver, { context: lambda, timeLeftMs: () => lambda.getRemainingTimeInMillis() });
  };
