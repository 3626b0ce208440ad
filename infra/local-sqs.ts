// The consumers' queues, locally: a small SQS that speaks the real wire protocol (JSON 1.0, the one the
// AWS SDK's SQS client uses) on a loopback port, so the stream router sends with the very SDK call it makes
// in AWS, and an event source that feeds each consumer function as Lambda's SQS event source mapping does:
// batches of up to `batchSize` (gathered for up to `maximumBatchingWindow`), partial batch responses, a
// failed message delivered again later, and after `maxReceiveCount` deliveries moved to its dead-letter
// queue, where `npm run redrive` (ReceiveMessage to list, StartMessageMoveTask to move back) finds it.
// Messages survive a restart when a data directory is given (an append-only journal per queue).
// One difference, on purpose: a failed message comes back after a short backoff (at most 2 s), not after
// the queue's visibility timeout, so that local retries do not take minutes.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';

const ACCOUNT = '000000000000';
const REGION = 'ap-east-1';

interface Message {
  messageId: string;
  body: string;
  md5: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Invisible (being processed, or waiting to be retried) until then. */
  visibleAt: number;
}

export interface QueueSpec {
  name: string;
  /** Deliveries before a message moves to `deadLetter` (SQS's redrive policy). */
  maxReceiveCount?: number;
  deadLetter?: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

class LocalQueue {
  readonly messages = new Map<string, Message>();
  constructor(
    readonly spec: QueueSpec,
    private readonly journal?: string,
  ) {
    if (journal && existsSync(journal)) {
      for (const line of readFileSync(journal, 'utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { op: 'put'; m: Message } | { op: 'delete'; id: string };
        if (entry.op === 'put') this.messages.set(entry.m.messageId, { ...entry.m, receiveCount: 0, visibleAt: 0 });
        else this.messages.delete(entry.id);
      }
      // Compacted: what is left, one line each.
      writeFileSync(journal, [...this.messages.values()].map((m) => JSON.stringify({ op: 'put', m }) + '\n').join(''));
    }
  }

  get arn() {
    return `arn:aws:sqs:${REGION}:${ACCOUNT}:${this.spec.name}`;
  }

  put(body: string, from?: Message): Message {
    const m: Message = { messageId: randomUUID(), body, md5: md5(body), sentAt: from?.sentAt ?? Date.now(), receiveCount: 0, visibleAt: 0 };
    this.messages.set(m.messageId, m);
    if (this.journal) appendFileSync(this.journal, JSON.stringify({ op: 'put', m }) + '\n');
    return m;
  }

  delete(id: string): void {
    if (this.messages.delete(id) && this.journal) appendFileSync(this.journal, JSON.stringify({ op: 'delete', id }) + '\n');
  }

  visible(now: number): Message[] {
    return [...this.messages.values()].filter((m) => m.visibleAt <= now);
  }
}

export interface QueueSubscription {
  queue: string;
  functionName: string;
  handler: (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse | void | undefined>;
  batchSize: number;
  /** Seconds to gather a batch (Lambda's MaximumBatchingWindowInSeconds). */
  batchWindowSeconds: number;
  reportBatchItemFailures: boolean;
  context?: () => Context;
}

const retryDelay = (receiveCount: number) => Math.min(100 * 2 ** (receiveCount - 1), 2000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalSqs {
  private readonly queues = new Map<string, LocalQueue>();
  private server?: Server;
  private running = false;
  private loop?: Promise<void>;
  readonly subscriptions: QueueSubscription[] = [];
  endpoint = '';
  healthy = false;

  constructor(
    specs: QueueSpec[],
    private readonly options: { dataDir?: string; log?: (line: string) => void } = {},
  ) {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    for (const spec of specs) {
      this.queues.set(spec.name, new LocalQueue(spec, options.dataDir ? join(options.dataDir, `${spec.name}.jsonl`) : undefined));
    }
  }

  /** Starts the SQS endpoint on loopback (port 0: the system picks a free port). */
  async listen(port: number): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((ok, fail) => {
      this.server!.once('error', fail);
      this.server!.listen(port, '127.0.0.1', ok);
    });
    const address = this.server.address();
    this.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
    return this.endpoint;
  }

  urlOf(name: string) {
    return `${this.endpoint}/${ACCOUNT}/${name}`;
  }

  queue(name: string): LocalQueue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`No local queue ${name}`);
    return q;
  }

  /** How many messages a queue holds (visible or not). */
  depth(name: string): number {
    return this.queue(name).messages.size;
  }

  /** The bodies of the messages a queue holds (the dead-letter queues, in tests). */
  bodies(name: string): string[] {
    return [...this.queue(name).messages.values()].map((m) => m.body);
  }

  subscribe(subscription: QueueSubscription): void {
    this.queue(subscription.queue);
    this.subscriptions.push(subscription);
  }

  /** The event source of a function (tests wrap its handler). */
  subscription(functionName: string): QueueSubscription {
    const found = this.subscriptions.find((s) => s.functionName === functionName);
    if (!found) throw new Error(`No queue feeds ${functionName}`);
    return found;
  }

  start(): void {
    this.running = true;
    this.healthy = true;
    this.loop = (async () => {
      while (this.running) {
        const worked = await this.pollOnce(false).catch((err: Error) => (this.options.log?.(`[queues] ${err.message}`), false));
        if (!worked) await sleep(50);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await new Promise<void>((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  private feeding(only?: string[]) {
    return only ? this.subscriptions.filter((s) => only.includes(s.functionName)) : this.subscriptions;
  }

  /** One delivery per subscription (of the functions named, or all) that has a batch ready. True when any was. */
  async pollOnce(ignoreWindows = true, only?: string[]): Promise<boolean> {
    const delivered = await Promise.all(this.feeding(only).map((s) => this.deliver(s, ignoreWindows)));
    return delivered.some(Boolean);
  }

  /**
   * Delivers until every subscribed queue (of the functions named, or all) is empty: failed messages are
   * retried until they go to their dead-letter queue. True when anything was delivered.
   */
  async drain(options: { only?: string[]; timeoutMs?: number } = {}): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    let worked = false;
    for (;;) {
      if (await this.pollOnce(true, options.only)) {
        worked = true;
        continue;
      }
      const waiting = this.feeding(options.only).flatMap((s) => [...this.queue(s.queue).messages.values()]);
      if (waiting.length === 0) return worked;
      if (Date.now() > deadline) throw new Error(`Queues did not drain: ${waiting.length} message(s) left`);
      const next = Math.min(...waiting.map((m) => m.visibleAt));
      await sleep(Math.max(5, Math.min(next - Date.now(), 50)));
    }
  }

  private async deliver(s: QueueSubscription, ignoreWindow: boolean): Promise<boolean> {
    const queue = this.queue(s.queue);
    const now = Date.now();
    let ready = queue.visible(now);
    // A message out of deliveries goes to the dead-letter queue instead of to the function.
    const maxReceives = queue.spec.maxReceiveCount;
    if (maxReceives !== undefined) {
      for (const m of ready.filter((m) => m.receiveCount >= maxReceives)) {
        this.options.log?.(
          `[queues] ${s.functionName}: a message went to ${queue.spec.deadLetter ?? 'nowhere'} after ${m.receiveCount} deliveries`,
        );
        if (queue.spec.deadLetter) this.queue(queue.spec.deadLetter).put(m.body, m);
        queue.delete(m.messageId);
      }
      ready = ready.filter((m) => m.receiveCount < maxReceives);
    }
    if (ready.length === 0) return false;
    if (!ignoreWindow && ready.length < s.batchSize && now - Math.min(...ready.map((m) => m.sentAt)) < s.batchWindowSeconds * 1000)
      return false;

    const batch = ready.slice(0, s.batchSize);
    for (const m of batch) {
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.visibleAt = Number.POSITIVE_INFINITY; // in flight
    }
    const event: SQSEvent = {
      Records: batch.map((m) => ({
        messageId: m.messageId,
        receiptHandle: m.messageId,
        body: m.body,
        attributes: {
          ApproximateReceiveCount: String(m.receiveCount),
          SentTimestamp: String(m.sentAt),
          SenderId: ACCOUNT,
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
        },
        messageAttributes: {},
        md5OfBody: m.md5,
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: REGION,
      })),
    };
    let failedIds: Set<string>;
    try {
      const response = await s.handler(event, s.context?.());
      const failures = s.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
      // An identifier that names no message of the batch fails the whole batch, as in Lambda.
      failedIds = failures.some((f) => !batch.some((m) => m.messageId === f.itemIdentifier))
        ? new Set(batch.map((m) => m.messageId))
        : new Set(failures.map((f) => f.itemIdentifier));
    } catch (err) {
      this.options.log?.(`[queues] ${s.functionName} failed: ${(err as Error).message}`);
      failedIds = new Set(batch.map((m) => m.messageId));
    }
    const later = Date.now();
    for (const m of batch) {
      if (failedIds.has(m.messageId)) m.visibleAt = later + retryDelay(m.receiveCount);
      else queue.delete(m.messageId);
    }
    return true;
  }

  // ---- The SQS wire protocol (JSON 1.0), the actions the router and the redrive script use ----

  private byUrl(url: unknown): LocalQueue {
    const name = typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : '';
    const q = this.queues.get(name);
    if (!q)
      throw new SqsError(
        'QueueDoesNotExist',
        'AWS.SimpleQueueService.NonExistentQueue',
        `The specified queue does not exist: ${String(url)}`,
      );
    return q;
  }

  private byArn(arn: unknown): LocalQueue {
    const q = [...this.queues.values()].find((x) => x.arn === arn);
    if (!q) throw new SqsError('ResourceNotFoundException', 'ResourceNotFoundException', `No queue ${String(arn)}`);
    return q;
  }

  private actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    SendMessage: (input) => {
      const m = this.byUrl(input.QueueUrl).put(String((input.MessageBody as string | undefined) ?? ''));
      return { MessageId: m.messageId, MD5OfMessageBody: m.md5 };
    },
    SendMessageBatch: (input) => {
      const queue = this.byUrl(input.QueueUrl);
      const entries = (input.Entries as { Id: string; MessageBody: string }[] | undefined) ?? [];
      if (entries.length === 0 || entries.length > 10)
        throw new SqsError(
          'TooManyEntriesInBatchRequest',
          'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
          'Between 1 and 10 entries',
        );
      return {
        Successful: entries.map((e) => {
          const m = queue.put(e.MessageBody);
          return { Id: e.Id, MessageId: m.messageId, MD5OfMessageBody: m.md5 };
        }),
        Failed: [],
      };
    },
    ReceiveMessage: (input) => {
      const queue = this.byUrl(input.QueueUrl);
      const max = Math.min(Number(input.MaxNumberOfMessages ?? 1), 10);
      const hideMs = Number(input.VisibilityTimeout ?? 30) * 1000;
      const now = Date.now();
      const batch = queue.visible(now).slice(0, max);
      for (const m of batch) {
        m.receiveCount++;
        m.visibleAt = now + hideMs;
      }
      return {
        Messages: batch.map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.messageId,
          MD5OfBody: m.md5,
          Body: m.body,
          Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
        })),
      };
    },
    DeleteMessage: (input) => (this.byUrl(input.QueueUrl).delete(String(input.ReceiptHandle)), {}),
    GetQueueUrl: (input) => ({ QueueUrl: this.urlOf(this.byUrl(this.urlOf(String(input.QueueName))).spec.name) }),
    ListQueues: (input) => ({
      QueueUrls: [...this.queues.keys()]
        .filter((n) => !input.QueueNamePrefix || n.startsWith(input.QueueNamePrefix as string))
        .map((n) => this.urlOf(n)),
    }),
    GetQueueAttributes: (input) => {
      const queue = this.byUrl(input.QueueUrl);
      const now = Date.now();
      return {
        Attributes: {
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(queue.visible(now).length),
          ApproximateNumberOfMessagesNotVisible: String(queue.messages.size - queue.visible(now).length),
          ...(queue.spec.deadLetter
            ? {
                RedrivePolicy: JSON.stringify({
                  deadLetterTargetArn: this.queue(queue.spec.deadLetter).arn,
                  maxReceiveCount: queue.spec.maxReceiveCount,
                }),
              }
            : {}),
        },
      };
    },
    /** Moves every message of a dead-letter queue back to its source queue (or the one named). */
    StartMessageMoveTask: (input) => {
      const source = this.byArn(input.SourceArn);
      const destination = input.DestinationArn
        ? this.byArn(input.DestinationArn)
        : [...this.queues.values()].find((q) => q.spec.deadLetter === source.spec.name);
      if (!destination)
        throw new SqsError('InvalidParameterValue', 'InvalidParameterValue', 'No source queue uses this queue as its dead-letter queue');
      for (const m of [...source.messages.values()]) {
        destination.put(m.body, m);
        source.delete(m.messageId);
      }
      return { TaskHandle: randomUUID() };
    },
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = this.actions[target.replace(/^AmazonSQS\./, '')];
    try {
      if (!target.startsWith('AmazonSQS.') || !action)
        throw new SqsError('InvalidAction', 'AWS.SimpleQueueService.InvalidAction', `Unknown action ${target}`);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const output = action(input);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() }).end(JSON.stringify(output));
    } catch (err) {
      const e = err instanceof SqsError ? err : new SqsError('InternalError', 'InternalError', (err as Error).message);
      res
        .writeHead(e.type === 'InternalError' ? 500 : 400, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-query-error': `${e.queryCode};Sender`,
        })
        .end(JSON.stringify({ __type: `com.amazonaws.sqs#${e.type}`, message: e.message }));
    }
  }
}

class SqsError extends Error {
  constructor(
    readonly type: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}
