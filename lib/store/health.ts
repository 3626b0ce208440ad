// The store's side of the health check: a read of a key that never holds an item (1 RCU at most).
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreProbe } from '../health/health';
import type { Db } from './dynamo';
import { db, tableName } from './dynamo';
import { keys } from './keys';

export const dynamoStoreProbe = (client: Db = db()): StoreProbe => ({
  async ping() {
    await client.send(new GetCommand({ TableName: tableName(), Key: keys.health() }));
  },
});
