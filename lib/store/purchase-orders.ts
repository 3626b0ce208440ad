// DynamoDB adapters of the purchase-order ports: the consolidation's contributions, running totals and
// rebuilds (stream side), and the documents suppliers and operators read and act on (HTTP side).
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ConsolidationStore, DocumentWrite, TotalDelta } from '../purchase-orders/consolidation';
import type { PurchaseOrderStore } from '../purchase-orders/purchase-orders';
import {
  ContributionSchema,
  PurchaseOrderRevisionSchema,
  PurchaseOrderSchema,
  PurchaseOrderTotalSchema,
  type Contribution,
  type PurchaseOrder,
  type PurchaseOrderRevision,
} from '../../schemas/purchase-orders';
import { auditPut } from './audit';
import {
  cancellationReasons,
  db,
  type Db,
  encodeCursor,
  isConditionFailure,
  queryAll,
  tableName,
  type TransactItem,
  transactWrite,
  withCursor,
} from './dynamo';
import { INDEX, keys } from './keys';

export const purchaseOrderItem = (po: PurchaseOrder) => ({
  ...keys.purchaseOrder(po.supplierId, po.deliveryDate, po.part),
  ...keys.purchaseOrdersByDate(po.deliveryDate, po.supplierId, po.part),
  type: 'PURCHASE_ORDER',
  ...po,
});

const revisionItem = (supplierId: string, deliveryDate: string, part: number, r: PurchaseOrderRevision) => ({
  ...keys.purchaseOrderRevision(supplierId, deliveryDate, part, r.revision),
  type: 'PURCHASE_ORDER_REVISION',
  ...r,
});

/** The part replaced only if nobody acknowledged, shipped or revised it since it was read. */
function documentPut(before: PurchaseOrder | undefined, after: PurchaseOrder): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: purchaseOrderItem(after),
      ...(before
        ? {
            ConditionExpression: 'revision = :revision AND #status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':revision': before.revision, ':status': before.status },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

const anyConditionFailed = (err: unknown) => cancellationReasons(err)?.some((r) => r === 'ConditionalCheckFailed') ?? false;

function totalUpdate(supplierId: string, deliveryDate: string, d: TotalDelta): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.purchaseOrderTotal(supplierId, deliveryDate, d.leaderId, d.productId, d.supplyPriceFen),
      UpdateExpression:
        'SET #type = :type, supplierId = :supplierId, deliveryDate = :date, leaderId = :leaderId, pickupPointName = :point, #address = :address, productId = :productId, #name = :name, #unit = :unit, supplyPriceFen = :price ADD quantity :delta',
      ExpressionAttributeNames: { '#type': 'type', '#address': 'address', '#name': 'name', '#unit': 'unit' },
      ExpressionAttributeValues: {
        ':type': 'PO_TOTAL',
        ':supplierId': supplierId,
        ':date': deliveryDate,
        ':leaderId': d.leaderId,
        ':point': d.pickupPointName,
        ':address': d.address,
        ':productId': d.productId,
        ':name': d.name,
        ':unit': d.unit,
        ':price': d.supplyPriceFen,
        ':delta': d.delta,
      },
    },
  };
}

export function dynamoConsolidationStore(client: Db = db()): ConsolidationStore {
  const partitionQuery = (supplierId: string, deliveryDate: string, prefix: string) =>
    queryAll(client, {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.purchaseOrderPartition(supplierId, deliveryDate), ':prefix': prefix },
      ConsistentRead: true,
    });

  return {
    async getContribution(supplierId, deliveryDate, orderId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.purchaseOrderContribution(supplierId, deliveryDate, orderId),
          ConsistentRead: true,
        }),
      );
      return Item ? ContributionSchema.parse(Item) : undefined;
    },

    async applyContribution(before: Contribution | undefined, after: Contribution, deltas: TotalDelta[]) {
      const actions: TransactItem[] = [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.purchaseOrderContribution(after.supplierId, after.deliveryDate, after.orderId),
              type: 'PO_CONTRIBUTION',
              ...after,
            },
            // contributionAsRead: the totals get new minus old only if "old" is still what is recorded.
            ...(before
              ? {
                  ConditionExpression: 'orderVersion = :version',
                  ExpressionAttributeValues: { ':version': before.orderVersion },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
        ...deltas.map((d) => totalUpdate(after.supplierId, after.deliveryDate, d)),
      ];
      try {
        await transactWrite(client, actions);
        return 'applied';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'stale';
        throw err;
      }
    },

    async snapshot(supplierId, deliveryDate) {
      // The counter first: a rebuild that commits after this read knows nobody rebuilt in between.
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName(), Key: keys.purchaseOrderBuild(supplierId, deliveryDate), ConsistentRead: true }),
      );
      const documents = (await partitionQuery(supplierId, deliveryDate, keys.purchaseOrderHeaderPrefix)).map((i) =>
        PurchaseOrderSchema.parse(i),
      );
      const totals = (await partitionQuery(supplierId, deliveryDate, keys.purchaseOrderTotalPrefix)).map((i) =>
        PurchaseOrderTotalSchema.parse(i),
      );
      return { build: typeof Item?.build === 'number' ? Item.build : 0, documents: documents.sort((a, b) => a.part - b.part), totals };
    },

    async commitBuild(supplierId, deliveryDate, build, write?: DocumentWrite) {
      const bump = {
        TableName: tableName(),
        Key: keys.purchaseOrderBuild(supplierId, deliveryDate),
        UpdateExpression: 'SET #type = :type, #build = :next',
        // nobodyRebuiltSince: the snapshot this rebuild decided on is still the latest one.
        ConditionExpression: build === 0 ? 'attribute_not_exists(#build)' : '#build = :build',
        ExpressionAttributeNames: { '#type': 'type', '#build': 'build' },
        ExpressionAttributeValues: { ':type': 'PO_BUILD', ':next': build + 1, ...(build === 0 ? {} : { ':build': build }) },
      };
      try {
        if (!write) {
          await client.send(new UpdateCommand(bump));
        } else {
          const { after, before, revision, audit } = write;
          await transactWrite(client, [
            { Update: bump },
            documentPut(before, after),
            {
              Put: {
                TableName: tableName(),
                Item: revisionItem(supplierId, deliveryDate, after.part, revision),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            auditPut(audit),
          ]);
        }
        return 'committed';
      } catch (err) {
        if (isConditionFailure(err) || anyConditionFailed(err)) return 'stale';
        throw err;
      }
    },
  };
}

export function dynamoPurchaseOrderStore(client: Db = db()): PurchaseOrderStore {
  return {
    async get(supplierId, deliveryDate, part) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName(), Key: keys.purchaseOrder(supplierId, deliveryDate, part), ConsistentRead: true }),
      );
      return Item ? PurchaseOrderSchema.parse(Item) : undefined;
    },

    async listByDate(deliveryDate, supplierId, limit, cursor) {
      const page = await withCursor(cursor, (startKey) =>
        client.send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: INDEX.byGsi1,
            KeyConditionExpression: supplierId ? 'gsi1pk = :pk AND begins_with(gsi1sk, :supplier)' : 'gsi1pk = :pk',
            ExpressionAttributeValues: {
              ':pk': keys.purchaseOrdersByDatePartition(deliveryDate),
              ...(supplierId ? { ':supplier': keys.purchaseOrdersOfSupplierPrefix(supplierId) } : {}),
            },
            Limit: limit,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const nextCursor = encodeCursor(page.LastEvaluatedKey);
      return { items: (page.Items ?? []).map((i) => PurchaseOrderSchema.parse(i)), ...(nextCursor ? { nextCursor } : {}) };
    },

    async transition(before, after, audit) {
      try {
        await transactWrite(client, [documentPut(before, after), auditPut(audit)]);
        return 'changed';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'stale';
        throw err;
      }
    },

    async revisions(supplierId, deliveryDate, part) {
      const items = await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.purchaseOrderPartition(supplierId, deliveryDate),
          ':prefix': keys.purchaseOrderRevisionPrefix(part),
        },
      });
      return items.map((i) => PurchaseOrderRevisionSchema.parse(i));
    },
  };
}
