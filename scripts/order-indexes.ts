// The deploy's migration of orders written before 2026-12-02 to the key-only index of a resident's orders
// (gsi4; it was gsi1, which projects every attribute: decisions.md, "Orders in key-only indexes"). Run by
// `npm run migrate-order-indexes`, once, right after the deploy; until then `GET /me/orders` lists only the
// orders written since. The group buy's orders need nothing: gsi3k is built by DynamoDB from the same keys.
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../lib/store/dynamo';
import { tableName, unlessConditionFails } from '../lib/store/dynamo';

/**
 * Every order still keyed on gsi1 given the same key on gsi4 and taken off gsi1, a page of the table at a
 * time (an offline migration, kept in scripts/: no request or job path may Scan). Moving an order twice changes
 * nothing (the update is conditional on the old key), and so does an order written meanwhile (its write
 * already keyed it on gsi4). Returns how many orders it moved.
 */
export async function moveOrdersToKeyIndexes(client: Db): Promise<number> {
  let moved = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: '#type = :order AND attribute_exists(gsi1pk)',
        ProjectionExpression: 'pk, sk, gsi1pk, gsi1sk',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':order': 'ORDER' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const order of (page.Items ?? []) as Record<'pk' | 'sk' | 'gsi1pk' | 'gsi1sk', string>[]) {
      const written = await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: { pk: order.pk, sk: order.sk },
            UpdateExpression: 'SET gsi4pk = :pk, gsi4sk = :sk REMOVE gsi1pk, gsi1sk',
            ConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
            ExpressionAttributeValues: { ':pk': order.gsi1pk, ':sk': order.gsi1sk },
          }),
        ),
      );
      if (written) moved++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return moved;
}
