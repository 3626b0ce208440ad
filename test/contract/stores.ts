// The two stores a contract suite runs against, behind the same ports: DynamoDB (the run's DynamoDB Local,
// a table of the file's own) and CloudBase (the real `@cloudbase/node-sdk` pointed at the wire-level
// stand-in of its database API). Each also says how to seed what the suite needs outside the ports under
// test (an active leader) and how to read the audit trail.
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
import { makeCloudBaseDb } from '../../lib/adapters/cloudbase/db';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import { cloudbaseGroupBuyStore } from '../../lib/adapters/cloudbase/group-buys';
import { cloudbaseOrderStore } from '../../lib/adapters/cloudbase/orders';
import { startStandIn, type CloudBaseStandIn } from '../cloudbase/standin';

export interface ContractStores {
  orders: OrderStore;
  groupBuys: GroupBuyStore;
  /** A leader record with this status (only what the group-buy guard reads). */
  seedLeader(leaderId: string, status: 'active' | 'suspended'): Promise<void>;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
  stop(): Promise<void>;
}

export interface StoreTarget {
  name: 'dynamodb' | 'cloudbase';
  start(): Promise<ContractStores>;
}

export const dynamoTarget: StoreTarget = {
  name: 'dynamodb',
  async start() {
    const endpoint = process.env.DYNAMODB_ENDPOINT;
    if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run this file in the integration project');
    const admin = localClient(endpoint);
    await ensureTable(admin, config.tableName);
    const client = makeDocumentClient(endpoint);
    return {
      orders: dynamoOrderStore(client),
      groupBuys: dynamoGroupBuyStore(client),
      async seedLeader(leaderId, status) {
        await client.send(
          new PutCommand({ TableName: config.tableName, Item: { ...keys.leader(leaderId), type: 'LEADER', leaderId, status } }),
        );
      },
      auditTrail: (entityId) => auditTrail(entityId, client),
      async stop() {
        client.destroy();
        admin.destroy();
      },
    };
  },
};

/** The stand-in of the last CloudBase target started (tests look at what the adapter sent). */
export let lastStandIn: CloudBaseStandIn | undefined;

export const cloudbaseTarget: StoreTarget = {
  name: 'cloudbase',
  async start() {
    const standIn = await startStandIn({ uniqueIndexes: uniqueIndexes() });
    lastStandIn = standIn;
    const db = makeCloudBaseDb({ env: 'contract-test', serviceUrl: standIn.url });
    return {
      orders: cloudbaseOrderStore(db),
      groupBuys: cloudbaseGroupBuyStore(db),
      async seedLeader(leaderId, status) {
        await db
          .collection(COLLECTIONS.leaders)
          .doc(leaderId)
          .set({ leaderId, userId: `user-${leaderId}`, referralCode: `R${leaderId}`, status, touches: 0 });
      },
      auditTrail: (entityId) => cloudbaseAuditTrail(entityId, db),
      stop: () => standIn.stop(),
    };
  },
};

export const STORE_TARGETS: StoreTarget[] = [dynamoTarget, cloudbaseTarget];
