// DynamoDB adapter of the GroupBuyStore port.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupBuyStore, SoldCount } from '../group-buys/group-buys';
import type { GroupBuy, Stock } from '../../schemas/group-buys';
import { GroupBuySchema, StockSchema } from '../../schemas/group-buys';
import { auditPut } from './audit';
import type { Db, TransactItem } from './dynamo';
import { cancellationReasons, db, itemFound, partitionBetween, queryAll, tableName, transactWrite } from './dynamo';
import { gateItem, stockOnGate } from './gate';
import { keys } from './keys';
import { capacityIs, capPlaces } from './places';

export const groupBuyItem = (gb: GroupBuy) => ({
  ...keys.groupBuy(gb.groupBuyId),
  ...(gb.status === 'open' ? keys.openGroupBuys(gb.cutoffAt, gb.groupBuyId) : {}),
  ...(gb.status === 'closing' ? keys.closingGroupBuys(gb.cutoffAt, gb.groupBuyId) : {}),
  ...keys.groupBuysByLeader(gb.leaderId, gb.createdAt, gb.groupBuyId),
  type: 'GROUP_BUY',
  ...gb,
});

export function dynamoGroupBuyStore(client: Db = db()): GroupBuyStore {
  return {
    async create(groupBuy, audit, pickupCapacity) {
      const isNew = 'attribute_not_exists(pk)';
      const capacity = capacityIs(pickupCapacity);
      const actions: TransactItem[] = [
        // leaderStillActive: a suspension that lands first (and so can't have marked this one) stops it; and
        // its capacity is still the one copied onto the pickup date's places below.
        {
          ConditionCheck: {
            TableName: tableName(),
            Key: keys.leader(groupBuy.leaderId),
            ConditionExpression: `#status = :active AND ${capacity.condition}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':active': 'active', ...capacity.values },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { Put: { TableName: tableName(), Item: groupBuyItem(groupBuy), ConditionExpression: isNew } },
        // A point with a capacity counts its places on the date's counter; without, on the gate (places.ts).
        { Put: { TableName: tableName(), Item: gateItem(groupBuy, pickupCapacity !== undefined), ConditionExpression: isNew } },
        // No capacity: nothing to copy (a capacity cleared since a copy was made cleared that copy too).
        ...(pickupCapacity === undefined ? [] : [capPlaces(groupBuy.leaderId, groupBuy.pickupDate, pickupCapacity)]),
        auditPut(audit),
      ];
      try {
        await transactWrite(client, actions);
        return 'created';
      } catch (err) {
        if (cancellationReasons(err)?.[0] !== 'ConditionalCheckFailed') throw err;
        return itemFound(err, 0)?.status === 'active' ? 'leader_changed' : 'leader_not_active';
      }
    },
    async get(groupBuyId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.groupBuy(groupBuyId) }));
      return Item ? GroupBuySchema.parse(Item) : undefined;
    },
    async getWithStock(groupBuyId) {
      // GATE, META, SOLD and STOCK#… sort after BUYER#…: one query from GATE on returns the group buy and its stock.
      const items = await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: { ':pk': keys.groupBuyPartition(groupBuyId), ':from': keys.groupBuyGateSk },
      });
      const meta = items.find((i) => i.sk === 'META');
      if (!meta) return undefined;
      const groupBuy = GroupBuySchema.parse(meta);
      const legacy = new Map<string, Stock>();
      const sold = new Map<string, SoldCount>();
      for (const item of items) {
        if (item.sk === keys.groupBuySoldSk) {
          for (const [name, value] of Object.entries(item)) {
            const [kind, productId] = [name.slice(0, 2), name.slice(2)];
            if ((kind !== 'q:' && kind !== 'b:') || typeof value !== 'number') continue;
            const count = sold.get(productId) ?? { quantity: 0, buyers: 0 };
            if (kind === 'q:') count.quantity = value;
            else count.buyers = value;
            sold.set(productId, count);
          }
        }
        if (typeof item.sk === 'string' && item.sk.startsWith(keys.stockPrefix)) {
          const s = StockSchema.parse(item);
          legacy.set(s.productId, s);
        }
      }
      const stock =
        stockOnGate(
          items.find((i) => i.sk === keys.groupBuyGateSk),
          groupBuy,
        ) ?? legacy;
      return { groupBuy, stock, sold };
    },
    async paidPrices(productId, fromDate, toDate) {
      // `~` after the last day's prefix: every price of that day is in the range.
      const range = partitionBetween(
        keys.productPricePartition(productId),
        keys.productPriceDaySk(fromDate),
        `${keys.productPriceDaySk(toDate)}~`,
      );
      const items = await queryAll(client, range);
      return items.map((i) => ({
        unitPriceFen: Number(i.unitPriceFen),
        firstPaidAt: String(i.firstPaidAt),
        lastPaidAt: String(i.lastPaidAt),
      }));
    },
  };
}
