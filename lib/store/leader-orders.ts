// Every order of a leader's group buys: the leader's group buys (gsi1), then each one's orders (gsi3).
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { OrderSchema, type Order } from '../../schemas/orders';
import { db, tableName, type Db } from './dynamo';
import { INDEX, keys } from './keys';

async function queryAll(client: Db, index: string, keyName: string, value: string) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ TableName: tableName(), IndexName: index, KeyConditionExpression: `${keyName} = :v`, ExpressionAttributeValues: { ':v': value }, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export function ordersOfLeader(client: Db = db()) {
  return async (leaderId: string): Promise<Order[]> => {
    const groupBuys = await queryAll(client, INDEX.byGsi1, 'gsi1pk', keys.groupBuysByLeaderPartition(leaderId));
    const orders: Order[] = [];
    for (const gb of groupBuys) {
      for (const item of await queryAll(client, INDEX.byGsi3, 'gsi3pk', keys.ordersByGroupBuyPartition(String(gb.groupBuyId)))) orders.push(OrderSchema.parse(item));
    }
    return orders;
  };
}
