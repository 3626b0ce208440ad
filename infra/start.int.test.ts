// `npm start` end to end, as a developer uses it: it comes up healthy, serves the API, stops with Ctrl-C
// taking its Java process along, keeps its data for the next start, and says how to install Java when
// there is none.
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, portInUse } from './dynamodb-local';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..');
const TABLE_NAME = 'tuangou-start-test';

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();
let dataDir: string;
let port: number;
let dynamodbPort: number;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  port = await freePort();
  dynamodbPort = await freePort();
});

afterAll(() => {
  // Whatever a failed test left behind: its whole process group, Java included.
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npx tsx infra/start.ts` in its own process group, as a terminal would run it. */
function start(): Started {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DYNAMODB_PORT: String(dynamodbPort),
    DATA_DIR: dataDir,
    TABLE_NAME,
    LOG_REQUESTS: '0',
  };
  // The test run's own DynamoDB Local is not the one `npm start` must use.
  delete env.DYNAMODB_ENDPOINT;
  const child = spawn('npx', ['tsx', 'infra/start.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      ok({ code, signal });
    }),
  );
  return { child, output: () => output, exited };
}

const url = (path: string) => `http://127.0.0.1:${port}${path}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(started: Started, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void started.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`npm start exited before it was healthy:\n${started.output()}`);
    try {
      const res = await fetch(url('/health'));
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`GET /health was not 200 within ${timeoutMs} ms:\n${started.output()}`);
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(url(path), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function login(userId: string): Promise<string> {
  const res = await call('POST', '/dev/login', undefined, { userId, roles: [] });
  expect(res.status).toBe(200);
  return res.body.token as string;
}

/** Ctrl-C: SIGINT to the whole foreground process group. */
async function interrupt(started: Started) {
  process.kill(-started.child.pid!, 'SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 30_000)));
  const result = await Promise.race([started.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') throw new Error(`npm start did not exit within 30 s of SIGINT:\n${started.output()}`);
  return result;
}

const javaOnPort = (p: number) => spawnSync('pgrep', ['-f', `DynamoDBLocal.jar -port ${p}`], { encoding: 'utf8' }).stdout.trim();

test('npm start serves the API, stops on Ctrl-C with its DynamoDB Local, and keeps the data for the next start', async () => {
  const pickupPoint = { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区', city: '上海' };

  const first = start();
  await waitHealthy(first);
  expect(await call('GET', '/health')).toEqual({ status: 200, body: { ok: true } });
  const applied = await call('POST', '/leaders', await login('u-npm-start'), { name: '王芳', phone: '13800001234', pickupPoint });
  expect(applied.status).toBe(201);
  expect(javaOnPort(dynamodbPort)).not.toBe('');
  // Loopback only, and DynamoDB Local's tables only for this installation's key id.
  expect(first.output()).toContain(`http://localhost:${port}`);
  expect(first.output()).toContain('loopback only');
  const keyId = readFileSync(join(dataDir, 'dynamodb-access-key-id'), 'utf8').trim();
  const tables = async (accessKeyId: string) => {
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${dynamodbPort}`,
      region: process.env.AWS_REGION || 'ap-east-1',
      credentials: { accessKeyId, secretAccessKey: 'x' },
    });
    try {
      return (await client.send(new ListTablesCommand({}))).TableNames;
    } finally {
      client.destroy();
    }
  };
  expect(await tables(keyId)).toContain(TABLE_NAME);
  expect(await tables('local')).toEqual([]);
  expect(existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'))).toBe(false);
  expect(readdirSync(join(dataDir, 'dynamodb'))).toContain(`${keyId}_${process.env.AWS_REGION || 'ap-east-1'}.db`);

  const stopped = await interrupt(first);
  expect(first.output()).toContain('SIGINT: stopping');
  expect(stopped.signal === 'SIGINT' || stopped.code === 0 || stopped.code === 130).toBe(true);
  expect(javaOnPort(dynamodbPort)).toBe('');
  expect(await portInUse(dynamodbPort)).toBe(false);
  expect(await portInUse(port)).toBe(false);

  const second = start();
  await waitHealthy(second);
  const me = await call('GET', '/leaders/me', await login('u-npm-start'));
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({
    leaderId: applied.body.leaderId,
    status: 'pending',
    referralCode: applied.body.referralCode,
    pickupPoint,
  });

  await interrupt(second);
  expect(javaOnPort(dynamodbPort)).toBe('');
});

test("without Java, npm start's script exits non-zero with one line saying how to install it", () => {
  // A PATH with node and the project's binaries, and no java.
  const bin = join(dataDir, 'bin-without-java');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${bin}:${join(ROOT, 'node_modules', '.bin')}`,
    PORT: String(port),
    DYNAMODB_PORT: String(dynamodbPort),
    DATA_DIR: dataDir,
  };
  delete env.DYNAMODB_ENDPOINT;
  expect(spawnSync('/bin/sh', ['-c', 'command -v java'], { env }).status).not.toBe(0);

  const run = spawnSync('/bin/sh', ['-c', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });

  expect(run.status).not.toBe(0);
  expect(run.status).not.toBeNull();
  const lines = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain('apt-get install -y openjdk-17-jre-headless');
  expect(javaOnPort(dynamodbPort)).toBe('');
});
