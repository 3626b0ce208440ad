// DynamoDB Local cannot bind loopback only, so what keeps the network out is a key id only this
// installation knows (without -sharedDb, another key id gets an empty database of its own).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoDbLocalArgs, installationAccessKeyId, newAccessKeyId } from './dynamodb-local';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ddb-key-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('an installation gets a random key id once, kept under DATA_DIR for it alone, and the same one ever after', () => {
  const first = installationAccessKeyId(dir);
  expect(first).toMatch(/^[A-Za-z0-9]{24,}$/);
  const file = join(dir, 'dynamodb-access-key-id');
  expect(readFileSync(file, 'utf8').trim()).toBe(first);
  expect(statSync(file).mode & 0o077).toBe(0);
  expect(installationAccessKeyId(dir)).toBe(first);
  const other = mkdtempSync(join(tmpdir(), 'ddb-key-'));
  try {
    expect(installationAccessKeyId(other)).not.toBe(first);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
  expect(newAccessKeyId()).not.toBe(newAccessKeyId());
});

test('DynamoDB Local runs with a database per key id (no -sharedDb) and without telemetry', () => {
  for (const args of [
    dynamoDbLocalArgs({ port: 8123, jarDir: '/jar' }),
    dynamoDbLocalArgs({ port: 8123, jarDir: '/jar', dbPath: '/data/db' }),
  ]) {
    expect(args).not.toContain('-sharedDb');
    expect(args).toContain('-disableTelemetry');
    expect(args.slice(args.indexOf('-port'), args.indexOf('-port') + 2)).toEqual(['-port', '8123']);
  }
});

test("the data of a stack that ran with -sharedDb stays with the installation's key id", () => {
  const db = join(dir, 'dynamodb');
  mkdirSync(db);
  writeFileSync(join(db, 'shared-local-instance.db'), 'tables');
  const key = installationAccessKeyId(dir);
  expect(existsSync(join(db, 'shared-local-instance.db'))).toBe(false);
  expect(readFileSync(join(db, `${key}_${process.env.AWS_REGION || 'ap-east-1'}.db`), 'utf8')).toBe('tables');
});
