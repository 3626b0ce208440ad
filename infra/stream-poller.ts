// Feeds stream-triggered functions with real records read from DynamoDB Local's stream, the way Lambda's
// event source mapping does: batches of up to `batchSize`, per-item order kept, a thrown error retries the
// batch (bisected when configured), `batchItemFailures` restarts from the lowest failed record (later
// records are delivered again, earlier ones are not), and a record that keeps failing goes to the
// on-failure destination after `maximumRetryAttempts` instead of blocking its shard.
import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { existsSync, readFileSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FilterPattern } from '../lib/runtime/filter-patterns';
import { matchesAnyFilter } from '../lib/runtime/filter-patterns';

export interface StreamConsumer {
  name: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void | undefined>;
  batchSize: number;
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  reportBatchItemFailures: boolean;
  filterPatterns?: FilterPattern[];
}

export interface FailureSink {
  (consumer: string, records: DynamoDBRecord[], reason: string): void;
}

interface ShardState {
  shardId: string;
  parentShardId?: string;
  iterator?: string | null;
  /** Fetched but not yet successfully processed, in order. */
  buffer: StreamRecord[];
  /** Failed attempts of the record at the head of the buffer (or of the whole batch). */
  attempts: number;
  /** Current batch limit: halved by bisection after an error, restored after a success. */
  limit: number;
  exhausted: boolean;
}

export interface PollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  consumers: StreamConsumer[];
  /** Where checkpoints live between runs (a JSON file); none keeps them in memory. */
  checkpointFile?: string;
  onFailure?: FailureSink;
  idleMs?: number;
  region?: string;
}

/** A stream record as Lambda hands it to a function. */
export function toLambdaRecord(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = record.dynamodb ?? {};
  const created = d.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created instanceof Date ? Math.floor(created.getTime() / 1000) : created,
      Keys: d.Keys as never,
      ...(d.NewImage ? { NewImage: d.NewImage as never } : {}),
      ...(d.OldImage ? { OldImage: d.OldImage as never } : {}),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as 'NEW_AND_OLD_IMAGES',
    },
  };
}

export class StreamPoller {
  private readonly shards = new Map<string, Map<string, ShardState>>(); // consumer → shard → state
  private checkpoints: Record<string, Record<string, string>> = {};
  private running = false;
  private loop?: Promise<void>;
  private lastDescribe = 0;
  healthy = false;

  constructor(private readonly options: PollerOptions) {
    if (options.checkpointFile && existsSync(options.checkpointFile)) {
      this.checkpoints = JSON.parse(readFileSync(options.checkpointFile, 'utf8')) as typeof this.checkpoints;
    }
    for (const c of options.consumers) this.shards.set(c.name, new Map());
  }

  /** Polls in the background until stop(). */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          const worked = await this.pollOnce();
          this.healthy = true;
          if (!worked) await sleep(this.options.idleMs ?? 250);
        } catch (err) {
          this.healthy = false;
          console.error(`[streams] ${(err as Error).message}`);
          await sleep(1000);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Polls until every consumer has processed everything in the stream (for tests and jobs). True when anything was. */
  async drain(maxRounds = 1000): Promise<boolean> {
    let idle = 0;
    let worked = false;
    // New shards are looked for once per drain, not once per round.
    this.lastDescribe = 0;
    for (let round = 0; round < maxRounds; round++) {
      const busy = await this.pollOnce();
      worked ||= busy;
      idle = busy ? 0 : idle + 1;
      if (idle >= 2) return worked;
    }
    throw new Error('Stream did not drain');
  }

  /** One pass over every consumer and shard. True when any record was fetched or processed. */
  async pollOnce(): Promise<boolean> {
    await this.discoverShards();
    const results = await Promise.all(this.options.consumers.map((c) => this.pollConsumer(c)));
    return results.some(Boolean);
  }

  private async discoverShards(): Promise<void> {
    if (Date.now() - this.lastDescribe < 5000) return;
    this.lastDescribe = Date.now();
    const found: { ShardId?: string; ParentShardId?: string }[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: start }),
      );
      found.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const states of this.shards.values()) {
      for (const s of found) {
        if (s.ShardId && !states.has(s.ShardId)) {
          states.set(s.ShardId, {
            shardId: s.ShardId,
            parentShardId: s.ParentShardId,
            buffer: [],
            attempts: 0,
            limit: 0,
            exhausted: false,
          });
        }
      }
    }
  }

  private async pollConsumer(consumer: StreamConsumer): Promise<boolean> {
    const states = this.shards.get(consumer.name)!;
    let worked = false;
    for (const state of states.values()) {
      // A child shard waits until its parent is read to the end: per-item order survives a shard split.
      const parent = state.parentShardId ? states.get(state.parentShardId) : undefined;
      if (parent && !parent.exhausted) continue;
      if (state.exhausted) continue;
      worked = (await this.pollShard(consumer, state)) || worked;
    }
    return worked;
  }

  private async iteratorFor(consumer: StreamConsumer, state: ShardState): Promise<string | undefined> {
    const after = this.checkpoints[consumer.name]?.[state.shardId];
    const { ShardIterator } = await this.options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: state.shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        SequenceNumber: after,
      }),
    );
    return ShardIterator;
  }

  private async pollShard(consumer: StreamConsumer, state: ShardState): Promise<boolean> {
    let fetched = false;
    if (state.buffer.length < consumer.batchSize && state.iterator !== null) {
      state.iterator ??= await this.iteratorFor(consumer, state);
      try {
        const page = await this.options.client.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: consumer.batchSize }));
        const records = page.Records ?? [];
        state.buffer.push(...records);
        state.iterator = page.NextShardIterator ?? null;
        fetched = records.length > 0;
      } catch (err) {
        if (err instanceof Error && err.name === 'ExpiredIteratorException') {
          // Resume after the last record we hold (or the checkpoint).
          const last = state.buffer.at(-1)?.dynamodb?.SequenceNumber;
          state.iterator = last
            ? (
                await this.options.client.send(
                  new GetShardIteratorCommand({
                    StreamArn: this.options.streamArn,
                    ShardId: state.shardId,
                    ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
                    SequenceNumber: last,
                  }),
                )
              ).ShardIterator
            : undefined;
          return true;
        }
        throw err;
      }
    }
    if (state.buffer.length === 0) {
      if (state.iterator === null) state.exhausted = true;
      return fetched;
    }
    await this.deliver(consumer, state);
    return true;
  }

  /** Delivers one batch from the head of the buffer and applies Lambda's retry rules to the outcome. */
  private async deliver(consumer: StreamConsumer, state: ShardState): Promise<void> {
    const limit = Math.min(state.limit || consumer.batchSize, consumer.batchSize);
    const batch = state.buffer.slice(0, limit);
    const region = this.options.region ?? 'ap-east-1';
    const lambdaRecords = batch.map((r) => toLambdaRecord(r, this.options.streamArn, region));
    // Event filtering: records that match no pattern never reach the function (and are not billed).
    const delivered = consumer.filterPatterns?.length
      ? lambdaRecords.filter((r) => matchesAnyFilter(r, consumer.filterPatterns!))
      : lambdaRecords;

    let failedAt: number | undefined; // index in batch of the lowest failed record
    let thrown: unknown;
    if (delivered.length > 0) {
      try {
        const response = await consumer.handler({ Records: delivered });
        const failures = consumer.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
        if (failures.length > 0) {
          const indexes = failures.map((f) => batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
          // An identifier that names no record of the batch fails the whole batch, as in Lambda.
          failedAt = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
        }
      } catch (err) {
        thrown = err;
      }
    }

    if (thrown === undefined && failedAt === undefined) {
      this.commit(consumer, state, batch.length);
      state.attempts = 0;
      state.limit = 0;
      return;
    }
    if (failedAt !== undefined && failedAt > 0) {
      // The records before the failed one are done; restart from the failed one.
      this.commit(consumer, state, failedAt);
      state.attempts = 0;
    }
    state.attempts++;
    const reason =
      thrown !== undefined
        ? `error: ${thrown instanceof Error ? thrown.message : JSON.stringify(thrown)}`
        : 'reported as batch item failure';
    if (thrown !== undefined && consumer.bisectBatchOnFunctionError && batch.length > 1) {
      // Split the failing batch and retry the first half alone (Lambda's bisect; a split is not a retry).
      // Halve the batch itself, not the limit: a short batch must not be redelivered unchanged.
      state.limit = Math.ceil(batch.length / 2);
      state.attempts = 0;
      return;
    }
    if (state.attempts > consumer.maximumRetryAttempts) {
      const dropCount = thrown !== undefined ? limit : 1;
      const dropped = state.buffer.slice(0, dropCount).map((r) => toLambdaRecord(r, this.options.streamArn, region));
      console.error(
        `[streams] ${consumer.name}: ${dropped.length} record(s) sent to the failure destination after ${state.attempts} attempts (${reason})`,
      );
      this.options.onFailure?.(consumer.name, dropped, reason);
      this.commit(consumer, state, dropCount);
      state.attempts = 0;
      state.limit = 0;
      return;
    }
    await sleep(Math.min(50 * 2 ** state.attempts, 2000));
  }

  private commit(consumer: StreamConsumer, state: ShardState, count: number): void {
    const done = state.buffer.splice(0, count);
    const last = done.at(-1)?.dynamodb?.SequenceNumber;
    if (!last) return;
    (this.checkpoints[consumer.name] ??= {})[state.shardId] = last;
    if (this.options.checkpointFile) {
      mkdirSync(dirname(this.options.checkpointFile), { recursive: true });
      writeFileSync(this.options.checkpointFile, JSON.stringify(this.checkpoints));
    }
  }
}

/** The local failure destination: one JSON line per failed batch, like an SQS on-failure message. */
export function fileFailureSink(path: string): FailureSink {
  return (consumer, records, reason) => {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, JSON.stringify({ at: new Date().toISOString(), consumer, reason, records }) + '\n');
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
