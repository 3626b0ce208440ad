// The one way a stream-triggered function is written: records are handled one by one, in order; the
// first failure is reported through `batchItemFailures` and the rest of the batch is left for the
// redelivery Lambda makes from that record on (so per-item order holds). Handlers must be idempotent:
// any record may arrive twice.
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

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
    newImage: image(record.dynamodb?.NewImage as Record<string, unknown> | undefined),
    oldImage: image(record.dynamodb?.OldImage as Record<string, unknown> | undefined),
  };
}

export function streamFunction(handle: (change: ChangeRecord) => Promise<void>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of event.Records) {
      const change = toChange(record);
      try {
        await handle(change);
      } catch (err) {
        console.error(
          JSON.stringify({
            level: 'error',
            sequenceNumber: change.sequenceNumber,
            error: (err as Error).message,
            stack: (err as Error).stack,
          }),
        );
        return { batchItemFailures: [{ itemIdentifier: change.sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
