// The local stack: DynamoDB Local, the table, the HTTP API, the stream poller and the scheduler, wired
// from serverless.yml. Used by `npm start` and by the end-to-end tests.
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { LocalDynamo } from './dynamodb-local';
import {
  installationAccessKeyId,
  javaAvailable,
  JAVA_MISSING,
  KEY_ID_VARIABLE,
  localCredentials,
  localRegion,
  newAccessKeyId,
  portInUse,
  startDynamoDbLocal,
} from './dynamodb-local';
import type { HttpHandler, HttpRoute } from './http-server';
import { createHttpServer, lambdaContext } from './http-server';
import { inFunction, recordAwsCalls, recordSecretReads } from './aws-calls';
import type { QueueSpec } from './local-sqs';
import { LocalSqs } from './local-sqs';
import type { FunctionDef } from './manifest';
import { loadHttpApi, loadManifest, loadWebBehaviors } from './manifest';
import { staticSite, WEB_DIST } from './static-site';
import type { ScheduledJob } from './scheduler';
import { Scheduler } from './scheduler';
import type { StreamConsumer } from './stream-poller';
import { fileFailureSink, StreamPoller } from './stream-poller';
import { ensureTable, localClient } from './table';
import { CONSUMER_ROUTES, queueLogicalId, queueName } from '../lib/runtime/stream-routes';

export interface StackOptions {
  port: number;
  dynamodbPort: number;
  /** Where DynamoDB Local keeps its files; undefined keeps everything in memory. */
  dataDir?: string;
  tableName: string;
  /** Use an already running DynamoDB (tests share one, with its key id in DYNAMODB_LOCAL_KEY_ID) instead of starting one. */
  dynamodbEndpoint?: string;
  scheduler?: boolean;
  /** `background` polls the stream and the queues continuously; `manual` leaves it to `drain()` (tests). */
  streams?: 'background' | 'manual';
  /** The local SQS endpoint's port (0: the system picks a free port). */
  sqsPort?: number;
}

export interface RunningStack {
  url: string;
  /** The address the HTTP server listens on: loopback unless HOST widened it. */
  host: string;
  port: number;
  endpoint: string;
  poller: StreamPoller;
  /** The consumers' queues and their event sources. */
  queues: LocalSqs;
  /** Polls the stream and feeds the queues (of the functions named, or all) until nothing is left (tests, jobs). */
  drain(options?: { only?: string[] }): Promise<void>;
  scheduler: Scheduler;
  functions: FunctionDef[];
  stop(): Promise<void>;
}

type AnyHandler = (event: unknown, context: unknown) => Promise<unknown>;

async function loadHandler(fn: FunctionDef): Promise<AnyHandler> {
  const mod = (await import(resolve(__dirname, '..', fn.module))) as Record<string, unknown>;
  const handler = mod[fn.exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[fn.exportName];
  if (typeof handler !== 'function') throw new Error(`${fn.module}.${fn.exportName} is not a function`);
  return handler as AnyHandler;
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  let dynamo: LocalDynamo | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (!endpoint) {
    if (!javaAvailable()) throw new Error(JAVA_MISSING);
    if (await portInUse(options.dynamodbPort)) throw new Error(`Port ${options.dynamodbPort} is taken: set DYNAMODB_PORT to a free port.`);
    // This installation's key id (a fresh one in memory): every client below reads it from the environment.
    const accessKeyId = options.dataDir ? installationAccessKeyId(options.dataDir) : newAccessKeyId();
    process.env[KEY_ID_VARIABLE] = accessKeyId;
    dynamo = await startDynamoDbLocal({
      port: options.dynamodbPort,
      dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined,
      accessKeyId,
    });
    endpoint = dynamo.endpoint;
  }
  const stopAll: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stopAll.reverse()) await s();
    await dynamo?.stop();
  };
  try {
    // The functions read these once, at module load: set them before importing any handler.
    process.env.DYNAMODB_ENDPOINT = endpoint;
    process.env.TABLE_NAME = options.tableName;
    process.env.STAGE ||= 'local';
    process.env.PUBLIC_URL ||= `http://localhost:${options.port}`;

    const ddb = localClient(endpoint);
    const streamArn = await ensureTable(ddb, options.tableName);
    ddb.destroy();

    // The consumers' queues (each with its dead-letter queue), named as serverless.yml names them.
    const specs: QueueSpec[] = CONSUMER_ROUTES.flatMap((route) => [
      { name: queueName(options.tableName, route.name, true) },
      {
        name: queueName(options.tableName, route.name),
        maxReceiveCount: route.maxReceiveCount,
        deadLetter: queueName(options.tableName, route.name, true),
      },
    ]);
    const queues = new LocalSqs(specs, {
      dataDir: options.dataDir ? join(options.dataDir, 'queues') : undefined,
      log: (line) => console.error(line),
    });
    process.env.SQS_ENDPOINT = await queues.listen(options.sqsPort ?? 0);
    stopAll.push(() => queues.stop());

    const functions = loadManifest();
    const handlers = new Map<string, AnyHandler>();
    // Each invocation runs as its function (the AWS calls it makes are recorded as that function's).
    const callsDir = process.env.AWS_CALLS_DIR;
    if (callsDir) {
      const { secretReads } = await import('../lib/runtime/secrets');
      recordSecretReads(secretReads, callsDir);
    }
    for (const fn of functions) {
      // Loaded as that function too: what its module reads when it loads (a secret, say) is its own.
      const handler = await inFunction(fn.name, () => loadHandler(fn));
      handlers.set(fn.name, (event, context) => inFunction(fn.name, () => handler(event, context)));
    }
    if (callsDir) {
      const { db } = await import('../lib/store/dynamo');
      const { sqsClient } = await import('../lib/aws/sqs');
      recordAwsCalls(db(), 'dynamodb', callsDir);
      recordAwsCalls(sqsClient(), 'sqs', callsDir);
    }

    const consumers: StreamConsumer[] = functions.flatMap((fn) =>
      fn.streams.map((s) => ({
        name: fn.name,
        handler: (event) =>
          handlers.get(fn.name)!(event, lambdaContext(fn.name, fn.timeout * 1000)) as ReturnType<StreamConsumer['handler']>,
        ...s,
      })),
    );
    for (const fn of functions) {
      for (const q of fn.queues) {
        const route = CONSUMER_ROUTES.find((r) => queueLogicalId(r.name) === q.queue);
        if (!route) throw new Error(`${fn.name} reads ${q.queue}, which no route in stream-routes.json names`);
        queues.subscribe({
          queue: queueName(options.tableName, route.name),
          functionName: fn.name,
          handler: (event, context) =>
            handlers.get(fn.name)!(event, context) as ReturnType<Parameters<LocalSqs['subscribe']>[0]['handler']>,
          context: () => lambdaContext(fn.name, fn.timeout * 1000),
          batchSize: q.batchSize,
          batchWindowSeconds: q.batchWindowSeconds,
          reportBatchItemFailures: q.reportBatchItemFailures,
        });
      }
    }
    const poller = new StreamPoller({
      client: new DynamoDBStreamsClient({
        endpoint,
        region: localRegion(),
        credentials: localCredentials(),
      }),
      streamArn,
      consumers,
      checkpointFile: options.dataDir ? join(options.dataDir, 'stream-checkpoints.json') : undefined,
      onFailure: options.dataDir ? fileFailureSink(join(options.dataDir, 'stream-failures.jsonl')) : undefined,
    });
    if (options.streams !== 'manual') {
      poller.start();
      queues.start();
      stopAll.push(() => poller.stop());
    } else {
      poller.healthy = true;
      queues.healthy = true;
    }
    const drain = async (drainOptions: { only?: string[] } = {}) => {
      // The stream feeds the queues, and the consumers' writes feed the stream: until both are quiet.
      for (let round = 0; round < 1000; round++) {
        const streamed = await poller.drain();
        const delivered = await queues.drain(drainOptions);
        if (!streamed && !delivered) return;
      }
      throw new Error('The stream and the queues did not settle');
    };

    const jobs: ScheduledJob[] = functions.flatMap((fn) =>
      fn.schedules.map((s) => ({
        functionName: fn.name,
        ...s,
        handler: (event: unknown) => handlers.get(fn.name)!(event, lambdaContext(fn.name, fn.timeout * 1000)),
      })),
    );
    const scheduler = new Scheduler(jobs);
    if (options.scheduler !== false) scheduler.start();
    // A test may start it later; stopping one that never ran does nothing.
    stopAll.push(() => scheduler.stop());

    const { registerReadinessCheck } = await import('../lib/runtime/readiness');
    registerReadinessCheck('streams', () => poller.healthy);
    registerReadinessCheck('queues', () => queues.healthy);
    if (options.scheduler !== false) registerReadinessCheck('schedules', () => scheduler.running);

    const routes: HttpRoute[] = functions.flatMap((fn) =>
      fn.http.map((h) => ({ ...h, functionName: fn.name, timeout: fn.timeout, handler: handlers.get(fn.name)! as HttpHandler })),
    );
    // CORS as API Gateway would answer it, from the same serverless.yml (and so from the same settings).
    const server: Server = createHttpServer(routes, { front: staticSite(WEB_DIST, loadWebBehaviors()), cors: loadHttpApi().cors });
    // Loopback unless HOST says otherwise: the functions read the same setting to decide about /dev/*.
    const { config } = await import('../lib/runtime/config');
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(options.port, config.host, ok);
    });
    stopAll.push(() => new Promise<void>((ok) => server.close(() => ok())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    // As PUBLIC_URL names it (the pages' origin), when that reaches the server; else its own address.
    const everywhere = ['127.0.0.1', 'localhost', '0.0.0.0', '::'].includes(config.host);
    const url = everywhere ? `http://localhost:${port}` : `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    return { url, host: config.host, port, endpoint, poller, queues, drain, scheduler, functions, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
