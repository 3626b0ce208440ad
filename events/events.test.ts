// The sample events must stay real-shaped: tests and `serverless invoke local -f <fn> --path events/…`
// feed them to the functions as Lambda would, so each must look like what its source sends.
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '../infra/manifest';
import { nextRun } from '../infra/scheduler';
import { DEFAULTS } from '../lib/runtime/config';
import { streamRouter } from '../lib/runtime/stream-router';
import { CONSUMER_ROUTES } from '../lib/runtime/stream-routes';
import { ApplyLeaderBodySchema } from '../schemas/leaders';
import { OrderSchema, RefundSchema } from '../schemas/orders';

const fixture = <T>(path: string): T => JSON.parse(readFileSync(join(__dirname, path), 'utf8')) as T;

const servedRoutes = loadManifest().flatMap((f) => f.http.map((h) => `${h.method} ${h.path}`));

describe.each(['http/health.json', 'http/leaders-apply.json'])('%s', (path) => {
  const event = fixture<APIGatewayProxyEventV2>(path);

  test('is an HTTP API payload 2.0 event for a route serverless.yml serves', () => {
    expect(event.version).toBe('2.0');
    expect(servedRoutes).toContain(event.routeKey);
    const [method, route] = event.routeKey.split(' ');
    expect(event.requestContext.http.method).toBe(method);
    expect(event.requestContext.routeKey).toBe(event.routeKey);
    expect(event.rawPath).toBe(route); // neither route has a path parameter
    expect(event.requestContext.http.path).toBe(event.rawPath);
    expect(typeof event.isBase64Encoded).toBe('boolean');
    expect(Object.keys(event.headers).every((h) => h === h.toLowerCase())).toBe(true);
  });
});

test('the health event is the GET /health route', () => {
  expect(fixture<APIGatewayProxyEventV2>('http/health.json').routeKey).toBe('GET /health');
});

test('the leader application carries a bearer token and a body the route accepts', () => {
  const event = fixture<APIGatewayProxyEventV2>('http/leaders-apply.json');
  expect(event.headers.authorization).toMatch(/^Bearer \S+$/);
  expect(event.headers['content-type']).toBe('application/json');
  expect(Number(event.headers['content-length'])).toBe(Buffer.byteLength(event.body!));
  expect(ApplyLeaderBodySchema.safeParse(JSON.parse(event.body!)).success).toBe(true);
});

describe.each([
  ['dynamodb/stream-insert.json', 'INSERT'],
  ['dynamodb/stream-modify.json', 'MODIFY'],
])('%s', (path, eventName) => {
  const event = fixture<DynamoDBStreamEvent>(path);

  test(`is a DynamoDB stream ${eventName} record with NEW_AND_OLD_IMAGES`, () => {
    expect(event.Records.length).toBeGreaterThan(0);
    for (const record of event.Records) {
      expect(record).toMatchObject({ eventName, eventSource: 'aws:dynamodb', eventVersion: '1.1', awsRegion: expect.any(String) });
      expect(record.eventSourceARN).toMatch(/^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/[^/]+\/stream\/[\dT:.-]+$/);
      expect(record.dynamodb).toMatchObject({
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        SequenceNumber: expect.stringMatching(/^\d{21,40}$/),
        SizeBytes: expect.any(Number),
      });
      expect(record.dynamodb?.OldImage === undefined).toBe(eventName === 'INSERT');
      const image = unmarshall(record.dynamodb!.NewImage as never);
      expect(unmarshall(record.dynamodb!.Keys as never)).toEqual({ pk: image.pk, sk: image.sk });
    }
  });
});

/** Runs the stream router on a sample event; returns which consumer received which order/refund. */
async function routed(path: string): Promise<Record<string, string[]>> {
  const sent: Record<string, string[]> = {};
  const router = streamRouter(CONSUMER_ROUTES, {
    send: async (consumer, messages) => {
      sent[consumer] = messages.map((m) => {
        const image = unmarshall((JSON.parse(m.body) as { dynamodb: { NewImage: never } }).dynamodb.NewImage);
        return `${String(image.type)} ${String(image.status)}`;
      });
      return [];
    },
  });
  const result = await router(fixture<DynamoDBStreamEvent>(path));
  expect(result.batchItemFailures).toEqual([]);
  return sent;
}

test('an order closed at the cutoff reaches the pickup sheets, the purchase orders and the customer book, and no one else', async () => {
  const [record] = fixture<DynamoDBStreamEvent>('dynamodb/stream-modify.json').Records;
  const before = OrderSchema.parse(unmarshall(record!.dynamodb!.OldImage as never));
  const after = OrderSchema.parse(unmarshall(record!.dynamodb!.NewImage as never));
  expect([before.status, after.status]).toEqual(['paid', 'ready_for_pickup']);
  expect(after.version).toBe(before.version + 1);
  expect(await routed('dynamodb/stream-modify.json')).toEqual({
    pickupSheets: ['ORDER ready_for_pickup'],
    consolidatePurchaseOrders: ['ORDER ready_for_pickup'],
    customerBook: ['ORDER ready_for_pickup'],
  });
});

test('a refund a leader asked for reaches the refunds consumer only', async () => {
  const [record] = fixture<DynamoDBStreamEvent>('dynamodb/stream-insert.json').Records;
  expect(RefundSchema.parse(unmarshall(record!.dynamodb!.NewImage as never))).toMatchObject({ status: 'requested', amountFen: 3990 });
  expect(await routed('dynamodb/stream-insert.json')).toEqual({ refunds: ['REFUND requested'] });
});

describe('scheduled job inputs', () => {
  const shanghai = 'Asia/Shanghai';

  test('cutoff: the job name and the time of the default nightly cutoff (23:00 in Shanghai)', () => {
    const input = fixture<{ job: string; scheduledTime: string }>('schedule/cutoff.json');
    expect(input).toEqual({ job: 'cutoff', scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    const fired = new Date(input.scheduledTime);
    expect(nextRun({ expression: DEFAULTS.CUTOFF_CRON, timezone: shanghai }, new Date(fired.getTime() - 1000))).toEqual(fired);
  });

  test('payouts: the job name and the time of the default weekly payout (Monday 10:00 in Shanghai)', () => {
    const input = fixture<{ job: string; scheduledTime: string }>('schedule/payouts.json');
    expect(input).toEqual({ job: 'payouts', scheduledTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    const fired = new Date(input.scheduledTime);
    expect(nextRun({ expression: DEFAULTS.PAYOUT_CRON, timezone: shanghai }, new Date(fired.getTime() - 1000))).toEqual(fired);
  });
});
