// The two stores a contract suite runs against, behind the same ports: DynamoDB (the run's DynamoDB Local,
// a table of the file's own) and CloudBase (the real `@cloudbase/node-sdk` pointed at the wire-level
// stand-in of its database API). A suite names the ports it tests once per store (`storeTargets`), and
// runs the same cases on each (`describe.each(targets)`).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuyStore } from '../../lib/group-buys/group-buys';
import type { OrderStore } from '../../lib/orders/ports';
import { config } from '../../lib/runtime/config';
import { auditTrail } from '../../lib/store/audit';
import { makeDocumentClient } from '../../lib/store/dynamo';
import { dynamoGroupBuyStore } from '../../lib/store/group-buys';
import { keys } from '../../lib/store/keys';
import { dynamoOrderStore } from '../../lib/store/orders';
import { ensureTable, localClient } from '../../infra/table';
import { COLLECTIONS, uniqueIndexes } from '../../lib/adapters/cloudbase/collections';
import type { CloudBaseDb } from '../../lib/adapters/cloudbase/db';
import { makeCloudBaseDb } from '../../lib/adapters/cloudbase/db';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import { cloudbaseGroupBuyStore } from '../../lib/adapters/cloudbase/group-buys';
import { cloudbaseOrderStore } from '../../lib/adapters/cloudbase/orders';
import type { CloudBaseStandIn, StandInOptions } from '../cloudbase/standin';
import { startStandIn } from '../cloudbase/standin';

export type StoreName = 'dynamodb' | 'cloudbase';

export interface StoreTarget<S> {
  name: StoreName;
  /** The ports on a fresh store (a table or a stand-in of the suite's own), and how to let go of it. */
  start(): Promise<S & { stop(): Promise<void> }>;
}

/** How a suite builds the ports it tests on each store (a seed or a read outside the ports goes here too). */
export interface StoreBuilders<S> {
  dynamodb(client: DynamoDBDocumentClient): S;
  cloudbase(db: CloudBaseDb, standIn: CloudBaseStandIn): S;
}

/** The stand-in of the last CloudBase target started (tests look at what the adapter sent). */
export let lastStandIn: CloudBaseStandIn | undefined;

/** The suite's ports on DynamoDB Local and on CloudBase (the SDK against the stand-in). */
export function storeTargets<S>(build: StoreBuilders<S>, options: { standIn?: StandInOptions } = {}): StoreTarget<S>[] {
  return [
    {
      name: 'dynamodb',
      async start() {
        const endpoint = process.env.DYNAMODB_ENDPOINT;
        if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run this file in the cloudbase project');
        const admin = localClient(endpoint);
        await ensureTable(admin, config.tableName);
        const client = makeDocumentClient(endpoint);
        return {
          ...build.dynamodb(client),
          async stop() {
            client.destroy();
            admin.destroy();
          },
        };
      },
    },
    {
      name: 'cloudbase',
      async start() {
        const standIn = await startStandIn({ ...options.standIn, uniqueIndexes: uniqueIndexes() });
        lastStandIn = standIn;
        const db = makeCloudBaseDb({ env: 'contract-test', serviceUrl: standIn.url });
        return { ...build.cloudbase(db, standIn), stop: () => standIn.stop() };
      },
    },
  ];
}

/** The ordering path's ports, with an active leader to seed and the audit trail to read. */
export interface ContractStores {
  orders: OrderStore;
  groupBuys: GroupBuyStore;
  /** A leader record with this status (only what the group-buy guard reads). */
  seedLeader(leaderId: string, status: 'active' | 'suspended'): Promise<void>;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
  stop(): Promise<void>;
}

/** The ordering path's ports on each store (a suite that needs more spreads these into its own builders). */
export const ORDERING_BUILDERS: StoreBuilders<Omit<ContractStores, 'stop'>> = {
  dynamodb: (client) => ({
    orders: dynamoOrderStore(client),
    groupBuys: dynamoGroupBuyStore(client),
    async seedLeader(leaderId, status) {
      await client.send(
        new PutCommand({ TableName: config.tableName, Item: { ...keys.leader(leaderId), type: 'LEADER', leaderId, status } }),
      );
    },
    auditTrail: (entityId) => auditTrail(entityId, client),
  }),
  cloudbase: (db) => ({
    orders: cloudbaseOrderStore(db),
    groupBuys: cloudbaseGroupBuyStore(db),
    async seedLeader(leaderId, status) {
      await db
        .collection(COLLECTIONS.leaders)
        .doc(leaderId)
        .set({ leaderId, userId: `user-${leaderId}`, referralCode: `R${leaderId}`, status, touches: 0 });
    },
    auditTrail: (entityId) => cloudbaseAuditTrail(entityId, db),
  }),
};

export const STORE_TARGETS: StoreTarget<Omit<ContractStores, 'stop'>>[] = storeTargets(ORDERING_BUILDERS);
