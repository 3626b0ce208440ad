// Makes a group buy's cutoff pass now, without waiting for it: the stored cutoff (the group buy, its
// gate, its open-index key and its orders' copies) moves to just before the present. Tests open group buys with
// a comfortable cutoff, place their orders, then call this — no race with a busy machine, no sleeps.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { groupBuyOrders } from '../../lib/store/leader-orders';

/** Several group buys share one cutoff instant (they close "in the same second"). */
export async function passCutoff(groupBuyIds: string | string[], at = new Date(Date.now() - 1)): Promise<string> {
  for (const id of Array.isArray(groupBuyIds) ? groupBuyIds : [groupBuyIds]) await moveCutoff(id, at.toISOString());
  return at.toISOString();
}

async function moveCutoff(groupBuyId: string, cutoffAt: string): Promise<void> {
  const open = keys.openGroupBuys(cutoffAt, groupBuyId);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.groupBuy(groupBuyId),
      UpdateExpression: 'SET cutoffAt = :cutoff',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':cutoff': cutoffAt },
    }),
  );
  // …and so does its gate's copy, which placement checks (a group buy from before gates may have none).
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.groupBuyGate(groupBuyId),
        UpdateExpression: 'SET cutoffAt = :cutoff',
        ConditionExpression: 'attribute_exists(cutoffAt)',
        ExpressionAttributeValues: { ':cutoff': cutoffAt },
      }),
    )
    .catch((err: Error) => {
      if (err.name !== 'ConditionalCheckFailedException') throw err;
    });
  // The open-index key moves with the cutoff, while the group buy is open.
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.groupBuy(groupBuyId),
        UpdateExpression: 'SET gsi2sk = :sk',
        ConditionExpression: 'gsi2pk = :open',
        ExpressionAttributeValues: { ':sk': open.gsi2sk, ':open': open.gsi2pk },
      }),
    )
    .catch((err: Error) => {
      if (err.name !== 'ConditionalCheckFailedException') throw err;
    });
  for (const order of await groupBuyOrders(db(), groupBuyId)) {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.order(String(order.orderId)),
        UpdateExpression: 'SET cutoffAt = :cutoff',
        ExpressionAttributeValues: { ':cutoff': cutoffAt },
      }),
    );
  }
}

/** Makes an order's payment deadline pass now (the order itself stays as it is, as if the expiry job had not run yet). */
export async function passPaymentDeadline(orderId: string, at = new Date(Date.now() - 1000)): Promise<string> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.order(orderId),
      UpdateExpression: 'SET expiresAt = :at',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': at.toISOString() },
    }),
  );
  return at.toISOString();
}

/** Moves one of an order's instants back by `days` (a write of the order: its version moves on, as with every write). */
export async function backdateOrder(orderId: string, field: 'createdAt' | 'pickedUpAt', days: number): Promise<void> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: keys.order(orderId), ConsistentRead: true }));
  const at = Item?.[field];
  if (typeof at !== 'string') throw new Error(`order ${orderId} has no ${field}`);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.order(orderId),
      UpdateExpression: 'SET #field = :at, #version = #version + :one',
      ExpressionAttributeNames: { '#field': field, '#version': 'version' },
      ExpressionAttributeValues: { ':at': new Date(Date.parse(at) - days * 86_400_000).toISOString(), ':one': 1 },
    }),
  );
}
