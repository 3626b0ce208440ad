// A group buy's orders (gsi3k, keys only, then the orders by key), and every order of a leader's group buys.
import type { Order } from '../../schemas/orders';
import { OrderSchema } from '../../schemas/orders';
import type { Db } from './dynamo';
import { db, partitionOf, queryAll, queryAllByKeys } from './dynamo';
import { INDEX, keys } from './keys';

/** Every order of a group buy, in order-id order. */
export async function groupBuyOrders(client: Db, groupBuyId: string): Promise<Order[]> {
  const items = await queryAllByKeys(client, partitionOf(keys.ordersByGroupBuyPartition(groupBuyId), INDEX.byGsi3));
  return items.map((i) => OrderSchema.parse(i));
}

export function ordersOfLeader(client: Db = db()) {
  return async (leaderId: string): Promise<Order[]> => {
    const groupBuys = await queryAll(client, partitionOf(keys.groupBuysByLeaderPartition(leaderId), INDEX.byGsi1));
    const orders: Order[] = [];
    for (const gb of groupBuys) orders.push(...(await groupBuyOrders(client, String(gb.groupBuyId))));
    return orders;
  };
}
