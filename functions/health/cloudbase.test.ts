// The health function's CloudBase entry, called as CloudBase's HTTP access service calls it: GET /health reads
// CloudBase's database (not DynamoDB) when DATA_STORE=cloudbase, and every path no other function claims gets
// the API's 404.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import { useFunctionStandIn } from '../../test/cloudbase/function-env';

const sample = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/health-get.json'), 'utf8')) as CloudBaseHttpEvent;

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;

beforeAll(async () => {
  // Nowhere to reach DynamoDB: a probe of it would fail, and the check would answer 503.
  process.env.DYNAMODB_ENDPOINT = 'http://127.0.0.1:9';
  ({ main } = await import('./cloudbase'));
});

const json = (r: { body?: string }) => JSON.parse(r.body!) as unknown;

test('GET /health answers 200 once CloudBase’s database answers, and 503 naming the store when it does not', async () => {
  standIn.requests.length = 0;
  const ok = await main(sample, { request_id: 'h1', function_name: 'health', time_limit_in_ms: 3_000 });
  expect([ok.statusCode, json(ok)]).toEqual([200, { ok: true }]);
  expect(standIn.requests.map((r) => [r.action, r.collectionName])).toEqual([['database.getDocument', 'health']]);

  standIn.failNext('database.getDocument', 'DATABASE_REQUEST_FAILED');
  const down = await main(sample);
  expect([down.statusCode, json(down)]).toEqual([503, { ok: false, waiting: ['store'] }]);
  expect(down.headers).toMatchObject({ 'cache-control': 'no-store' });
});

test('a path no route serves (what the `/` access path brings) is the API’s 404, in its error shape', async () => {
  for (const [httpMethod, path] of [
    ['GET', '/'],
    ['GET', '/nowhere/at/all'],
    ['POST', '/health'],
  ] as const) {
    const answer = await main({ ...sample, httpMethod, path });
    expect([httpMethod, path, answer.statusCode, json(answer)]).toEqual([
      httpMethod,
      path,
      404,
      { error: expect.objectContaining({ code: 'NOT_FOUND', message: 'No such route' }) },
    ]);
  }
});
