// The stores behind the catalogue, the leaders and the opening of group buys, on both targets (DynamoDB Local
// and CloudBase through its real SDK against the stand-in), with what the contract suites of those read besides
// the ports: the audit trail, and the leader decisions the notify consumer is handed (DynamoDB: the table's
// stream through notify's filters; CloudBase: notify's outbox items).
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { CatalogueStore } from '../../lib/catalogue/catalogue';
import type { LeaderStore } from '../../lib/leaders/leaders';
import { config } from '../../lib/runtime/config';
import { matchesAnyFilter } from '../../lib/runtime/filter-patterns';
import { CONSUMER_ROUTES } from '../../lib/runtime/stream-routes';
import type { OrderDeps } from '../../lib/orders/ports';
import type { Clock, Ids } from '../../lib/runtime/clock';
import { AppError } from '../../lib/runtime/errors';
import { dynamoCatalogueStore } from '../../lib/store/catalogue';
import { dynamoLeaderStore } from '../../lib/store/leaders';
import { localCredentials, localRegion } from '../../infra/dynamodb-local';
import { ensureTable, localClient } from '../../infra/table';
import { cloudbaseCatalogueStore } from '../../lib/adapters/cloudbase/catalogue';
import { COLLECTIONS } from '../../lib/adapters/cloudbase/collections';
import { cloudbaseLeaderStore } from '../../lib/adapters/cloudbase/leaders';
import type { ContractStores } from './stores';
import { ORDERING_BUILDERS, storeTargets } from './stores';

/** What the notify consumer acts on: a leader's status as it became. */
export interface LeaderDecision {
  leaderId: string;
  status: string;
}

/** The ordering path's ports (orders, group buys, the audit trail), and the catalogue's and the leaders'. */
export interface CatalogueStores extends Omit<ContractStores, 'stop'> {
  catalogue: CatalogueStore;
  leaders: LeaderStore;
  /** The leader decisions handed to the notify consumer so far, in the order they were made. */
  notifiedLeaders(): Promise<LeaderDecision[]>;
}

const notifyFilters = CONSUMER_ROUTES.find((r) => r.name === 'notify')!.filterPatterns;
const decisionOf = (image: Record<string, unknown>): LeaderDecision => ({ leaderId: String(image.leaderId), status: String(image.status) });

/**
 * Every record of the table's stream that notify's filters pass and whose leader changed status (the consumer
 * compares the old image: a rewrite of the same status tells nobody anything).
 */
async function streamedDecisions(): Promise<LeaderDecision[]> {
  const endpoint = process.env.DYNAMODB_ENDPOINT!;
  const admin = localClient(endpoint);
  const streams = new DynamoDBStreamsClient({ endpoint, region: localRegion(), credentials: localCredentials() });
  try {
    const streamArn = await ensureTable(admin, config.tableName);
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        records.push(...((page.Records ?? []) as DynamoDBRecord[]));
        if (!page.Records?.length) break;
        iterator = page.NextShardIterator;
      }
    }
    return records
      .filter((r) => matchesAnyFilter(r, notifyFilters))
      .filter((r) => r.dynamodb?.NewImage?.type?.S === 'LEADER' && r.dynamodb.OldImage?.status?.S !== r.dynamodb.NewImage.status?.S)
      .map((r) => decisionOf(unmarshall(r.dynamodb!.NewImage as never)));
  } finally {
    streams.destroy();
    admin.destroy();
  }
}

export const CATALOGUE_TARGETS = storeTargets<CatalogueStores>({
  dynamodb: (client) => ({
    ...ORDERING_BUILDERS.dynamodb(client),
    catalogue: dynamoCatalogueStore(client),
    leaders: dynamoLeaderStore(client),
    notifiedLeaders: streamedDecisions,
  }),
  cloudbase: (db, standIn) => ({
    ...ORDERING_BUILDERS.cloudbase(db, standIn),
    catalogue: cloudbaseCatalogueStore(db),
    leaders: cloudbaseLeaderStore(db),
    async notifiedLeaders() {
      // Notify's outbox items, oldest first (their `_id` starts with a ULID); each body is a stream record.
      const { data } = (await db.collection(COLLECTIONS.outbox).where({ consumer: 'notify' }).orderBy('_id', 'asc').limit(1000).get()) as {
        data: { body: string }[];
      };
      return data
        .map((d) => JSON.parse(d.body) as DynamoDBRecord)
        .filter((r) => r.dynamodb?.NewImage?.type?.S === 'LEADER')
        .map((r) => decisionOf(unmarshall(r.dynamodb!.NewImage as never)));
    },
  }),
});

/** The ordering use-cases' deps on a suite's stores (no leader reads, no capacity limit, no cache). */
export const placementDeps = (
  stores: Pick<CatalogueStores, 'orders' | 'groupBuys'>,
  clock: Clock,
  ids: Ids,
  shareKey: Buffer,
): OrderDeps => ({
  orders: stores.orders,
  groupBuys: stores.groupBuys,
  leaderIdOf: async () => undefined,
  clock,
  ids,
  shareKey: () => shareKey,
  paymentTimeoutMinutes: 15,
});

/** What a use-case answered: 'ok', or the API error code it threw (anything else is rethrown). */
export const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => {
      if (err instanceof AppError) return err.code;
      throw err;
    },
  );
