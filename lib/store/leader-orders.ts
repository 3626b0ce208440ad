// Every order of a leader's group buys: the leader's group buys (gsi1), then each one's orders (gsi3).
import type { Order } from '../../schemas/orders';
import { OrderSchema } from '../../schemas/orders';
import type { Db } from './dynamo';
import { db, partitionOf, queryAll } from './dynamo';
import { INDEX, keys } from './keys';

export function ordersOfLeader(client: Db = db()) {
  return async (leaderId: string): Promise<Order[]> => {
    const groupBuys = await queryAll(client, partitionOf(keys.groupBuysByLeaderPartition(leaderId), INDEX.byGsi1));
    const orders: Order[] = [];
    for (const gb of groupBuys) {
      for (const item of await queryAll(client, partitionOf(keys.ordersByGroupBuyPartition(String(gb.groupBuyId)), INDEX.byGsi3)))
        orders.push(OrderSchema.parse(item));
    }
    return orders;
  };
}
