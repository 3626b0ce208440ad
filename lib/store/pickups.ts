// DynamoDB adapter of the PickupStore port.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { PickupStore } from '../pickups/pickups';
import { SheetLineSchema } from '../../schemas/pickups';
import type { Db } from './dynamo';
import { db, partitionOf, putIf, queryAll, tableName } from './dynamo';
import { keys } from './keys';

export function dynamoPickupStore(client: Db = db()): PickupStore {
  return {
    async upsertSheetLine(line) {
      const written = await putIf(client, {
        Item: { ...keys.sheetLine(line.leaderId, line.date, line.orderId), type: 'SHEET_LINE', ...line },
        // newerImage: an older or repeated image of the order never overwrites a newer one.
        ConditionExpression: 'attribute_not_exists(orderVersion) OR orderVersion < :version',
        ExpressionAttributeValues: { ':version': line.orderVersion },
      });
      return written ? 'written' : 'stale';
    },
    async sheetLines(leaderId, date) {
      const items = await queryAll(client, partitionOf(keys.sheetPartition(leaderId, date)));
      return items.map((i) => SheetLineSchema.parse(i));
    },
    async orderIdForCode(leaderId, date, code) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.pickupCode(leaderId, date, code) }));
      return Item?.orderId as string | undefined;
    },
  };
}
