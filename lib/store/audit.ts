// Audit records are written in the same transaction as the change they describe, so a change without
// its audit record (or the reverse) cannot exist.
import type { AuditEvent } from '../../schemas/common';
import { AuditEventSchema } from '../../schemas/common';
import { ulid } from '../runtime/clock';
import { db, queryAll, tableName, type Db } from './dynamo';
import { keys } from './keys';

/** A TransactWriteItems action that appends one audit record. */
export function auditPut(event: AuditEvent) {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...keys.audit(event.entityId, event.at, ulid(Date.parse(event.at))), type: 'AUDIT', ...event },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function auditTrail(entityId: string, client: Db = db()): Promise<AuditEvent[]> {
  const items = await queryAll(client, {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.auditPartition(entityId) },
  });
  return items.map((i) => AuditEventSchema.parse(i));
}
