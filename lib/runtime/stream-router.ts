// The stream router: the one reader of the table's stream (AWS advises at most two per shard). It sends
// each change to the queue of every consumer whose filter it matches, so that consumers stay separate
// functions with their own code, IAM, retries and dead-letter queue: one that keeps failing holds back
// only its own messages. A record it could not send everywhere is reported, and the stream delivers it
// (and those after it) again; consumers are idempotent, so a second copy changes nothing.
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesAnyFilter } from './filter-patterns';
import { count, errorField, logger, observed } from './observability';
import type { ConsumerRoute } from './stream-routes';

export interface QueueMessage {
  /** Unique within one send: the record's index in the batch. */
  id: string;
  body: string;
}

export interface QueueSender {
  /** Sends the messages to the consumer's queue; resolves with the ids of those it could not send. */
  send(consumer: string, messages: QueueMessage[]): Promise<string[]>;
}

/** SQS takes messages of up to 256 KiB; an item of the table is at most 400 KB, with two images. */
export const MAX_MESSAGE_BYTES = 250 * 1024;

/** The record as its consumer receives it. An oversized one loses its old image (no consumer reads it). */
export function messageBody(record: DynamoDBRecord): string {
  const body = JSON.stringify({ eventID: record.eventID, eventName: record.eventName, dynamodb: record.dynamodb });
  if (Buffer.byteLength(body) <= MAX_MESSAGE_BYTES) return body;
  const { OldImage: _old, ...rest } = record.dynamodb ?? {};
  return JSON.stringify({ eventID: record.eventID, eventName: record.eventName, dynamodb: rest });
}

/** Which consumers receive which records of a batch (by record index). */
export function routeRecords(records: DynamoDBRecord[], routes: ConsumerRoute[]): Map<string, number[]> {
  const targets = new Map<string, number[]>();
  records.forEach((record, index) => {
    for (const route of routes) {
      if (matchesAnyFilter(record, route.filterPatterns)) targets.set(route.name, [...(targets.get(route.name) ?? []), index]);
    }
  });
  return targets;
}

export function streamRouter(routes: ConsumerRoute[], queues: QueueSender) {
  return (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => observed(context, () => route(event));

  async function route(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    const records = event.Records;
    const failed = new Set<number>();
    await Promise.all(
      [...routeRecords(records, routes)].map(async ([consumer, indexes]) => {
        const messages = indexes.map((i) => ({ id: String(i), body: messageBody(records[i]!) }));
        try {
          for (const id of await queues.send(consumer, messages)) failed.add(Number(id));
        } catch (err) {
          logger.error('Could not send changes to a consumer', { consumer, error: errorField(err) });
          for (const i of indexes) failed.add(i);
        }
      }),
    );
    if (failed.size === 0) return { batchItemFailures: [] };
    count('StreamRecordsNotRouted', failed.size);
    // The stream restarts from the lowest failed record: everything after it comes again too.
    const first = records[Math.min(...failed)]!;
    return { batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? '' }] };
  }
}
