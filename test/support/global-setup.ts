// Starts one in-memory DynamoDB Local on a free port for the integration run, under a key id of the
// run's own; each test file makes its own table in it (test/support/stack.ts).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { AWS_CALLS_DIR } from './aws-calls-dir';
import type { LocalDynamo } from '../../infra/dynamodb-local';
import { freePort, javaAvailable, JAVA_MISSING, KEY_ID_VARIABLE, newAccessKeyId, startDynamoDbLocal } from '../../infra/dynamodb-local';

declare global {
  var __DYNAMODB_LOCAL__: LocalDynamo | undefined;
}

export default async function globalSetup(_global: unknown, project: { displayName?: { name: string } | string }) {
  if (!javaAvailable()) throw new Error(JAVA_MISSING);
  const name = typeof project.displayName === 'string' ? project.displayName : project.displayName?.name;
  // The pages and /openapi.json, as `npm start` serves them (the browser tests of the integration project
  // open them; the cloudbase project has none).
  if (name !== 'cloudbase') {
    const built = spawnSync('npm', ['run', '--silent', 'build:web'], {
      cwd: resolve(__dirname, '..', '..'),
      encoding: 'utf8',
      // Jest's NODE_ENV=test would make a test build of the libraries (Vant then gives every field one id).
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (built.status !== 0) throw new Error(`npm run build:web failed:\n${built.stdout}\n${built.stderr}`);
  }
  // A fresh recording of the functions' AWS calls (test/iam checks serverless.yml's grants against it).
  rmSync(AWS_CALLS_DIR, { recursive: true, force: true });
  process.env.AWS_CALLS_DIR = AWS_CALLS_DIR;
  const accessKeyId = newAccessKeyId();
  const dynamo = await startDynamoDbLocal({ port: await freePort(), accessKeyId });
  globalThis.__DYNAMODB_LOCAL__ = dynamo;
  // Workers start after this and inherit the environment: the endpoint, and the key id of its database.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env[KEY_ID_VARIABLE] = accessKeyId;
}
