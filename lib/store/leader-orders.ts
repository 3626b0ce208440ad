// Every order of a leader's group buys: the leader's group buys (gsi1), then each one's orders (gsi3).
import { OrderSchema, type Order } from '../../schemas/orders';
import { db, queryAll, tableName, type Db } from './dynamo';
import { INDEX, keys } from './keys';

const byIndex = (client: Db, index: string, keyName: string, value: string) =>
  queryAll(client, {
    TableName: tableName(),
    IndexName: index,
    KeyConditionExpression: `${keyName} = :v`,
    ExpressionAttributeValues: { ':v': value },
  });

export function ordersOfLeader(client: Db = db()) {
  return async (leaderId: string): Promise<Order[]> => {
    const groupBuys = await byIndex(client, INDEX.byGsi1, 'gsi1pk', keys.groupBuysByLeaderPartition(leaderId));
    const orders: Order[] = [];
    for (const gb of groupBuys) {
      for (const item of await byIndex(client, INDEX.byGsi3, 'gsi3pk', keys.ordersByGroupBuyPartition(String(gb.groupBuyId))))
        orders.push(OrderSchema.parse(item));
    }
    return orders;
  };
}
