// serverless.yml is the one description of the functions: the local stack reads it with loadManifest, so
// what it serves locally is what AWS would run (handlers, routes, stream settings, schedules).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadHttpApi, loadManifest } from './manifest';

const ROOT = resolve(__dirname, '..');

describe('the real serverless.yml', () => {
  const functions = loadManifest();

  test("CORS allows only the configured origins (CORS_ORIGINS, else PUBLIC_URL's origin), never any origin", () => {
    const text = readFileSync(join(ROOT, 'serverless.yml'), 'utf8').replace(
      /!(Ref|GetAtt|Join|Sub|Select|Split|If|Equals|ImportValue)\b/g,
      '',
    );
    expect((parse(text) as { provider: { httpApi: { cors: unknown } } }).provider.httpApi.cors).not.toBe(true);
    const cors = (env: Record<string, string>) => loadHttpApi(undefined, env).cors;
    expect(cors({ PUBLIC_URL: 'https://tuan.example.com/' })).toMatchObject({ allowedOrigins: ['https://tuan.example.com'] });
    expect(cors({ PUBLIC_URL: 'https://tuan.example.com', CORS_ORIGINS: 'https://a.example, https://b.example:8443/' })).toMatchObject({
      allowedOrigins: ['https://a.example', 'https://b.example:8443'],
    });
    const policy = cors({ PUBLIC_URL: 'https://tuan.example.com' })!;
    expect(policy.allowedOrigins).not.toContain('*');
    expect(policy.allowedHeaders.map((h) => h.toLowerCase())).toEqual(
      expect.arrayContaining(['content-type', 'authorization', 'idempotency-key']),
    );
    // Nothing configured: no origin may call the API from a browser.
    expect(cors({})).toBeUndefined();
    expect(() => cors({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
  });

  test('lists every function of the file', () => {
    // Parsed without our loader (intrinsic tags stripped) to count the functions independently.
    const text = readFileSync(join(ROOT, 'serverless.yml'), 'utf8').replace(
      /!(Ref|GetAtt|Join|Sub|Select|Split|If|Equals|ImportValue)\b/g,
      '',
    );
    const raw = parse(text, { merge: true }) as { functions: Record<string, unknown> };
    expect(functions.map((f) => f.name).sort()).toEqual(Object.keys(raw.functions).sort());
  });

  test('every handler module exists on disk', () => {
    for (const fn of functions) {
      expect({ fn: fn.name, exists: existsSync(join(ROOT, `${fn.module}.ts`)) }).toEqual({ fn: fn.name, exists: true });
      expect(fn.exportName).toMatch(/^\w+$/);
    }
  });

  test('serves the health, login and leader routes, each route once', () => {
    const routeKeys = functions.flatMap((f) => f.http.map((h) => `${h.method} ${h.path}`));
    const byName = Object.fromEntries(functions.map((f) => [f.name, f.http.map((h) => `${h.method} ${h.path}`)]));
    expect(byName.health).toContain('GET /health');
    expect(byName.dev).toContain('POST /dev/login');
    expect(byName.leaders).toEqual(
      expect.arrayContaining(['POST /leaders', 'GET /leaders/me', 'GET /leaders', 'POST /leaders/{leaderId}/approve']),
    );
    expect(new Set(routeKeys).size).toBe(routeKeys.length);
    // Every route is a method and a path, but for API Gateway's catch-all ($default), `ANY *`.
    for (const key of routeKeys) expect(key).toMatch(/^((GET|POST|PUT|PATCH|DELETE|ANY) \/[^\s]*|ANY \*)$/);
    expect(routeKeys.filter((k) => k === 'ANY *')).toHaveLength(1);
  });
});

describe('a fixture with every kind of trigger', () => {
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    file = join(dir, 'serverless.yml');
    writeFileSync(
      file,
      `service: fixture
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  environment:
    STAGE: \${sls:stage}
    TABLE_NAME: !Ref Table
    CUTOFF: \${env:FIXTURE_CUTOFF_CRON, 'cron(0 23 * * ? *)'}
custom:
  tableArn: !GetAtt Table.Arn
  indexes: !Join ['/', [!GetAtt Table.Arn, 'index', '*']]
  streamArn: !GetAtt [Table, StreamArn]
functions:
  api:
    handler: functions/api/handler.main
    events:
      - httpApi: GET /things/{thingId}
      - httpApi:
          method: post
          path: /things
  orderEvents:
    handler: functions/order-events/handler.onRecords
    events:
      - stream:
          type: dynamodb
          arn: !GetAtt Table.StreamArn
          batchSize: 25
          batchWindow: 1
          maximumRetryAttempts: 3
          bisectBatchOnFunctionError: true
          functionResponseType: ReportBatchItemFailures
          destinations:
            onFailure:
              arn: !GetAtt StreamFailureQueue.Arn
              type: sqs
          filterPatterns:
            - eventName: [INSERT, MODIFY]
              dynamodb:
                NewImage:
                  type:
                    S: [ORDER]
            - dynamodb:
                Keys:
                  pk:
                    S: [{ prefix: 'PAY#' }]
  plainStream:
    handler: functions/plain/handler.main
    events:
      - stream:
          type: dynamodb
          arn: !GetAtt Table.StreamArn
  cutoff:
    handler: functions/cutoff/handler.main
    events:
      - schedule:
          method: scheduler
          rate: \${env:FIXTURE_CUTOFF_CRON, 'cron(0 23 * * ? *)'}
          timezone: Asia/Shanghai
          input:
            job: cutoff
            scheduledTime: <aws.scheduler.scheduled-time>
  payouts:
    handler: functions/payouts/handler.main
    events:
      - schedule:
          method: scheduler
          rate:
            - cron(0 10 ? * MON *)
          timezone: Asia/Shanghai
          input: { job: payouts }
      - schedule: rate(5 minutes)
resources:
  Resources:
    Table:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: !Sub '\${AWS::StackName}-table'
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (env: Record<string, string> = {}) => loadManifest(file, env, 'local');
  const fn = (name: string, env?: Record<string, string>) => load(env).find((f) => f.name === name)!;

  test('CloudFormation tags (!Ref, !GetAtt, !Join, !Sub) do not break parsing', () => {
    expect(load().map((f) => f.name)).toEqual(['api', 'orderEvents', 'plainStream', 'cutoff', 'payouts']);
  });

  test('handlers split into module and export name', () => {
    expect(fn('orderEvents')).toMatchObject({ module: 'functions/order-events/handler', exportName: 'onRecords' });
  });

  test('http routes in both forms, methods upper-cased', () => {
    expect(fn('api').http).toEqual([
      { method: 'GET', path: '/things/{thingId}' },
      { method: 'POST', path: '/things' },
    ]);
  });

  test('a stream trigger keeps its batching, retry, bisect, partial-failure and filter settings', () => {
    expect(fn('orderEvents').streams).toEqual([
      {
        batchSize: 25,
        maximumRetryAttempts: 3,
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: true,
        filterPatterns: [
          { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { type: { S: ['ORDER'] } } } },
          { dynamodb: { Keys: { pk: { S: [{ prefix: 'PAY#' }] } } } },
        ],
      },
    ]);
  });

  test("a stream trigger without settings gets Lambda's defaults", () => {
    expect(fn('plainStream').streams).toEqual([
      {
        batchSize: 100,
        maximumRetryAttempts: expect.any(Number),
        bisectBatchOnFunctionError: false,
        reportBatchItemFailures: false,
        filterPatterns: [],
      },
    ]);
    expect(fn('plainStream').streams[0]!.maximumRetryAttempts).toBeGreaterThanOrEqual(10_000);
  });

  test('a scheduler trigger keeps its cron, time zone and input', () => {
    expect(fn('cutoff').schedules).toEqual([
      {
        expression: 'cron(0 23 * * ? *)',
        timezone: 'Asia/Shanghai',
        input: { job: 'cutoff', scheduledTime: '<aws.scheduler.scheduled-time>' },
      },
    ]);
  });

  test('rate given as a list, and the short form `schedule: rate(…)` in UTC', () => {
    expect(fn('payouts').schedules).toEqual([
      { expression: 'cron(0 10 ? * MON *)', timezone: 'Asia/Shanghai', input: { job: 'payouts' } },
      { expression: 'rate(5 minutes)', timezone: 'UTC', input: {} },
    ]);
  });

  test("${env:X, 'default'} takes the environment's value, else the default", () => {
    expect(fn('cutoff').schedules[0]!.expression).toBe('cron(0 23 * * ? *)');
    expect(fn('cutoff', { FIXTURE_CUTOFF_CRON: 'cron(30 22 * * ? *)' }).schedules[0]!.expression).toBe('cron(30 22 * * ? *)');
  });

  test('an environment value of several lines (a PEM key in a variable) does not break the YAML', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvAIBADANBg: kqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    expect(fn('cutoff', { FIXTURE_CUTOFF_CRON: pem }).schedules[0]!.expression).toBe(pem);
  });
});
