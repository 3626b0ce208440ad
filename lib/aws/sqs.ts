// The SQS adapter of the router's QueueSender port: SendMessageBatch, at most ten messages and 256 KiB a
// call. Queue URLs come from the environment serverless.yml gives the router (`QUEUE_URL_<CONSUMER>`); in
// the local stage from the local SQS endpoint the local stack runs.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { config } from '../runtime/config';
import type { QueueMessage, QueueSender } from '../runtime/stream-router';
import { queueName, queueUrlVariable } from '../runtime/stream-routes';

const MAX_BATCH = 10;
const MAX_BATCH_BYTES = 256 * 1024;

let shared: SQSClient | undefined;
/** The process-wide SQS client (made on first use). */
export const sqsClient = () =>
  (shared ??= new SQSClient(
    config.sqsEndpoint
      ? {
          endpoint: config.sqsEndpoint,
          region: process.env.AWS_REGION || 'ap-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {},
  ));

/** The URL of a consumer's queue (or its dead-letter queue, locally). */
export function queueUrl(consumer: string, env: Record<string, string | undefined> = process.env): string {
  const url = env[queueUrlVariable(consumer)];
  if (url) return url;
  if (config.sqsEndpoint) return `${config.sqsEndpoint}/000000000000/${queueName(config.tableName, consumer)}`;
  throw new Error(`${queueUrlVariable(consumer)} is not set`);
}

/** Splits messages into SendMessageBatch calls: at most ten and 256 KiB each. */
export function batches(messages: QueueMessage[]): QueueMessage[][] {
  const out: QueueMessage[][] = [];
  let current: QueueMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.body);
    if (current.length === MAX_BATCH || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

export const sqsQueueSender: QueueSender = {
  async send(consumer, messages) {
    const url = queueUrl(consumer);
    const failed: string[] = [];
    for (const batch of batches(messages)) {
      const res = await sqsClient().send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: batch.map((m) => ({ Id: m.id, MessageBody: m.body })) }),
      );
      for (const f of res.Failed ?? []) if (f.Id) failed.push(f.Id);
    }
    return failed;
  },
};
