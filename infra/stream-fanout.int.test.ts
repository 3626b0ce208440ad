// The fan-out of the table's stream (issue 9): one reader, the stream router, sends each change to the
// queue of every consumer whose filter it matches; each consumer's queue retries its own failures and
// finally parks them in its own dead-letter queue. One consumer failing on every record must neither hold
// back nor replay another's work. Real stream (DynamoDB Local), the real router with the real SQS client,
// the local SQS and its event source.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { sqsQueueSender } from '../lib/aws/sqs';
import { changeOf, queueFunction } from '../lib/runtime/stream';
import { streamRouter } from '../lib/runtime/stream-router';
import type { ConsumerRoute } from '../lib/runtime/stream-routes';
import { queueUrlVariable } from '../lib/runtime/stream-routes';
import { assertLocalEndpoint } from '../test/support/stack';
import { localCredentials, localRegion } from './dynamodb-local';
import { LocalSqs } from './local-sqs';
import { StreamPoller } from './stream-poller';
import { ensureTable, localClient } from './table';

const endpoint = assertLocalEndpoint(process.env.DYNAMODB_ENDPOINT);
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let streams: DynamoDBStreamsClient;
let table: string;
let streamArn: string;
let sqs: LocalSqs;

const routes: ConsumerRoute[] = [
  {
    name: 'tally',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 3,
    filterPatterns: [{ dynamodb: { NewImage: { type: { S: ['THING'] } } } }],
  },
  {
    name: 'broken',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 3,
    filterPatterns: [{ dynamodb: { NewImage: { type: { S: ['THING'] } } } }],
  },
  {
    name: 'others',
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 3,
    filterPatterns: [{ dynamodb: { NewImage: { type: { S: ['OTHER'] } } } }],
  },
];

beforeAll(async () => {
  ddb = localClient(endpoint);
  doc = DynamoDBDocumentClient.from(ddb);
  streams = new DynamoDBStreamsClient({ endpoint, region: localRegion(), credentials: localCredentials() });
  table = `fanout-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  streamArn = await ensureTable(ddb, table);
  sqs = new LocalSqs(
    routes.flatMap((r) => [{ name: `${r.name}-dlq` }, { name: r.name, maxReceiveCount: r.maxReceiveCount, deadLetter: `${r.name}-dlq` }]),
  );
  process.env.SQS_ENDPOINT = await sqs.listen(0);
  // As serverless.yml gives the router its queues' URLs.
  for (const r of routes) process.env[queueUrlVariable(r.name)] = sqs.urlOf(r.name);
});
afterAll(async () => {
  await sqs.stop();
  await ddb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  ddb.destroy();
  streams.destroy();
});

test('one consumer failing on every record neither holds back nor replays another: each keeps its own retries and dead letters', async () => {
  const tallied: string[] = [];
  let brokenCalls = 0;
  sqs.subscribe({
    queue: 'tally',
    functionName: 'tally',
    batchSize: 10,
    batchWindowSeconds: 0,
    reportBatchItemFailures: true,
    handler: queueFunction(async (change) => void tallied.push(`${String(change.newImage?.pk)}@${String(change.newImage?.version)}`)),
  });
  sqs.subscribe({
    queue: 'broken',
    functionName: 'broken',
    batchSize: 10,
    batchWindowSeconds: 0,
    reportBatchItemFailures: true,
    handler: async (event: SQSEvent) => {
      brokenCalls++;
      return queueFunction(async () => {
        throw new Error('broken consumer (test)');
      })(event);
    },
  });
  const routerCalls: number[] = [];
  const router = streamRouter(routes, sqsQueueSender);
  const poller = new StreamPoller({
    client: streams,
    streamArn,
    region: 'ap-east-1',
    consumers: [
      {
        name: 'streamRouter',
        batchSize: 100,
        maximumRetryAttempts: 10,
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: true,
        handler: async (event) => {
          routerCalls.push(event.Records.length);
          return router(event);
        },
      },
    ],
  });

  const things = Array.from({ length: 25 }, (_, i) => ({ pk: `thing-${i}`, sk: 'THING', type: 'THING', version: 1 }));
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    for (const item of things) await doc.send(new PutCommand({ TableName: table, Item: item }));
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'other', sk: 'OTHER', type: 'OTHER', version: 1 } }));
    await poller.drain();
    await sqs.drain();
  } finally {
    quiet.mockRestore();
  }

  // The working consumer did all its work, each record once, although its neighbour failed throughout.
  expect(tallied.sort()).toEqual(things.map((t) => `${t.pk}@1`).sort());
  // The router read each record once: nobody's failure sent the stream back.
  expect(routerCalls.reduce((a, b) => a + b, 0)).toBe(things.length + 1);
  // The failing consumer was given each record maxReceiveCount times, then its dead-letter queue has them all.
  expect(brokenCalls).toBeGreaterThanOrEqual(3);
  expect(sqs.depth('broken')).toBe(0);
  expect(
    sqs
      .bodies('broken-dlq')
      .map((body) => String(changeOf({ body }).newImage?.pk))
      .sort(),
  ).toEqual(things.map((t) => t.pk).sort());
  expect(sqs.depth('tally-dlq')).toBe(0);
  // A change no consumer of THINGs wants reached only its own queue (nobody reads it here).
  expect(sqs.depth('others')).toBe(1);
});

test('a dead letter moved back (StartMessageMoveTask, as `npm run redrive` does) is delivered again', async () => {
  const redelivered: string[] = [];
  sqs.subscription('broken').handler = queueFunction(async (change) => void redelivered.push(String(change.newImage?.pk)));
  const { SQSClient, StartMessageMoveTaskCommand, GetQueueAttributesCommand } = await import('@aws-sdk/client-sqs');
  const client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'ap-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: sqs.urlOf('broken-dlq'), AttributeNames: ['All'] }));
  expect(Attributes?.ApproximateNumberOfMessages).toBe('25');
  await client.send(new StartMessageMoveTaskCommand({ SourceArn: Attributes!.QueueArn }));
  await sqs.drain();
  client.destroy();
  expect(redelivered).toHaveLength(25);
  expect(sqs.depth('broken-dlq')).toBe(0);
});
