// The sample events must stay real-shaped: tests and `serverless invoke local -f <fn> --path events/…`
// feed them to the functions as Lambda would, so each must look like what its source sends.
import type { APIGatewayProxyEventV2, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '../infra/manifest';
import { nextRun } from '../infra/scheduler';
import { DEFAULTS } from '../lib/runtime/config';
import { ApplyLeaderBodySchema, LeaderSchema } from '../schemas/leaders';

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
      expect(record.dynamodb?.NewImage).toBeDefined();
      expect(record.dynamodb?.OldImage === undefined).toBe(eventName === 'INSERT');
      // The keys are the image's keys.
      const image = unmarshall(record.dynamodb!.NewImage as never);
      expect(unmarshall(record.dynamodb!.Keys as never)).toEqual({ pk: image.pk, sk: image.sk });
    }
  });

  test('its images are stored leader records', () => {
    for (const record of event.Records) {
      expect(LeaderSchema.safeParse(unmarshall(record.dynamodb!.NewImage as never)).success).toBe(true);
      if (record.dynamodb?.OldImage) expect(LeaderSchema.safeParse(unmarshall(record.dynamodb.OldImage as never)).success).toBe(true);
    }
  });
});

test('the modify event is the approval of the inserted leader', () => {
  const [inserted] = fixture<DynamoDBStreamEvent>('dynamodb/stream-insert.json').Records;
  const [modified] = fixture<DynamoDBStreamEvent>('dynamodb/stream-modify.json').Records;
  expect(modified!.dynamodb!.OldImage).toEqual(inserted!.dynamodb!.NewImage);
  expect(unmarshall(modified!.dynamodb!.NewImage as never)).toMatchObject({ status: 'active', gsi1pk: 'LEADERS#active' });
  expect(BigInt(modified!.dynamodb!.SequenceNumber!)).toBeGreaterThan(BigInt(inserted!.dynamodb!.SequenceNumber!));
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
