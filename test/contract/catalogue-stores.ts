// The stores behind the catalogue, the leaders and the opening of group buys, on both targets (DynamoDB Local
// and CloudBase through its real SDK against the stand-in), with what the contract suites of those read besides
// the ports: the audit trail, and the leader decisions the notify consumer is handed (DynamoDB: the table's
// stream through notify's filters; CloudBase: notify's outbox items).
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { AuditEvent } from '../../schemas/common';
import type { CatalogueStore } from '../../lib/catalogue/catalogue';
import type { GroupBuyStore } from '../../lib/group-buys/group-buys';
import type { LeaderStore } from '../../lib/leaders/leaders';
import type { OrderStore } from '../../lib/orders/ports';
import { config } from '../../lib/runtime/config';
import { matchesAnyFilter } from '../../lib/runtime/filter-patterns';
import { CONSUMER_ROUTES } from '../../lib/runtime/stream-routes';
import { auditTrail } from '../../lib/store/audit';
import { dynamoCatalogueStore } from '../../lib/store/catalogue';
import { dynamoGroupBuyStore } from '../../lib/store/group-buys';
import { dynamoLeaderStore } from '../../lib/store/leaders';
import { dynamoOrderStore } from '../../lib/store/orders';
import { localCredentials, localRegion } from '../../infra/dynamodb-local';
import { ensureTable, localClient } from '../../infra/table';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import { cloudbaseCatalogueStore } from '../../lib/adapters/cloudbase/catalogue';
import { COLLECTIONS } from '../../lib/adapters/cloudbase/collections';
import { cloudbaseGroupBuyStore } from '../../lib/adapters/cloudbase/group-buys';
import { cloudbaseLeaderStore } from '../../lib/adapters/cloudbase/leaders';
import { cloudbaseOrderStore } from '../../lib/adapters/cloudbase/orders';
import { storeTargets } from './stores';

/** What the notify consumer acts on: a leader's status as it became. */
export interface LeaderDecision {
  leaderId: string;
  status: string;
}

export interface CatalogueStores {
  catalogue: CatalogueStore;
  leaders: LeaderStore;
  groupBuys: GroupBuyStore;
  orders: OrderStore;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
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
    catalogue: dynamoCatalogueStore(client),
    leaders: dynamoLeaderStore(client),
    groupBuys: dynamoGroupBuyStore(client),
    orders: dynamoOrderStore(client),
    auditTrail: (entityId) => auditTrail(entityId, client),
    notifiedLeaders: streamedDecisions,
  }),
  cloudbase: (db) => ({
    catalogue: cloudbaseCatalogueStore(db),
    leaders: cloudbaseLeaderStore(db),
    groupBuys: cloudbaseGroupBuyStore(db),
    orders: cloudbaseOrderStore(db),
    auditTrail: (entityId) => cloudbaseAuditTrail(entityId, db),
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
