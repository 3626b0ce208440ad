// What a consumer's queue hands its function: the stream records the router sent, one message each, in
// the SQS event Lambda builds (each message unique, even when it carries the same record twice).
import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { messageBody } from '../../lib/runtime/stream-router';

let sent = 0;

export function queueEvent(records: DynamoDBRecord[], queue = 'tuangou-test-consumer'): SQSEvent {
  return {
    Records: records.map((record) => {
      const body = messageBody(record);
      const messageId = `m-${(sent++).toString(36)}-${record.dynamodb?.SequenceNumber ?? ''}`;
      return {
        messageId,
        receiptHandle: messageId,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: '000000000000',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:ap-east-1:000000000000:${queue}`,
        awsRegion: 'ap-east-1',
      };
    }),
  };
}
