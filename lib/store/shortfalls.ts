// DynamoDB adapter of the ShortfallStore port: a shortfall report, written once with its audit.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ShortfallStore } from '../purchase-orders/shortfalls';
import { ShortfallSchema } from '../../schemas/shortfalls';
import { auditPut } from './audit';
import { cancellationReasons, db, tableName, transactWrite, type Db } from './dynamo';
import { keys } from './keys';

export function dynamoShortfallStore(client: Db = db()): ShortfallStore {
  return {
    async get(purchaseOrderId, shortfallId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName(), Key: keys.shortfall(purchaseOrderId, shortfallId), ConsistentRead: true }),
      );
      return Item ? ShortfallSchema.parse(Item) : undefined;
    },
    async put(shortfall, audit) {
      try {
        await transactWrite(client, [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.shortfall(shortfall.purchaseOrderId, shortfall.shortfallId), type: 'SHORTFALL', ...shortfall },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          auditPut(audit),
        ]);
        return 'written';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'exists';
        throw err;
      }
    },
  };
}
