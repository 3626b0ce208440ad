// How table changes reach their consumers. The stream router (functions/stream-router) is the one reader
// of the table's stream; it sends each change, as the stream record Lambda handed it, to the queue of
// every consumer whose filter it matches (stream-routes.json). A consumer is written once, as a handler
// of changes: records are handled one by one; each failure is reported on its own message
// (`batchItemFailures`) and delivered again later, without holding back the rest or any other consumer.
// Delivery is at least once and in no guaranteed order: handlers must be idempotent and compare integer
// versions, never arrival order or clocks.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBRecord, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod';
import { count, errorField, logger, observed } from './observability';

export interface ChangeRecord {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  sequenceNumber: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

const image = (i: Record<string, unknown> | undefined) => (i ? unmarshall(i as Record<string, AttributeValue>) : undefined);

export function toChange(record: DynamoDBRecord): ChangeRecord {
  return {
    eventName: record.eventName as ChangeRecord['eventName'],
    sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
    newImage: image(record.dynamodb?.NewImage),
    oldImage: image(record.dynamodb?.OldImage),
  };
}

/** The body of a consumer's message: the stream record as Lambda hands it to a function. */
const StreamRecordSchema = z.object({
  eventID: z.string().optional(),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  dynamodb: z.object({
    Keys: z.record(z.string(), z.unknown()).optional(),
    NewImage: z.record(z.string(), z.unknown()).optional(),
    OldImage: z.record(z.string(), z.unknown()).optional(),
    SequenceNumber: z.string().optional(),
  }),
});

/** The change a consumer's message carries (a body that is not one fails that message alone). */
export function changeOf(message: Pick<SQSRecord, 'body'>): ChangeRecord {
  return toChange(StreamRecordSchema.parse(JSON.parse(message.body)) as DynamoDBRecord);
}

export type ChangeHandler = (change: ChangeRecord, context?: Context) => Promise<void>;

/** A consumer of table changes, fed by its queue: one message at a time, each failure reported alone. */
export function queueFunction(handle: ChangeHandler) {
  return (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    observed(context, async () => {
      const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
      for (const message of event.Records) {
        try {
          await handle(changeOf(message), context);
        } catch (err) {
          logger.error('A change failed; its message comes again', { messageId: message.messageId, error: errorField(err) });
          batchItemFailures.push({ itemIdentifier: message.messageId });
        }
      }
      count('ConsumerFailures', batchItemFailures.length);
      return { batchItemFailures };
    });
}
