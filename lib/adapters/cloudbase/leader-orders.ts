// Every order placed through a leader's group buys, on CloudBase: the orders carry their leader (index
// `orders.leaderId`), so reconciliation reads them in one query, paged by `_id`.
import type { Order } from '../../../schemas/orders';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, queryAll } from './db';
import { parseOrder } from './orders';

export function cloudbaseOrdersOfLeader(db: CloudBaseDb = cloudbaseDb()) {
  return async (leaderId: string): Promise<Order[]> => (await queryAll(db, COLLECTIONS.orders, { leaderId })).map(parseOrder);
}
