// Audit records are written in the same transaction as the change they describe, so a change without
// its audit record (or the reverse) cannot exist. A record keeps what changed (lib/runtime/audit-diff.ts),
// not two whole images: the smaller record is 2 WCU in a transaction where two images of an order were 4.
import type { AuditEvent } from '../../schemas/common';
import { AuditEventSchema } from '../../schemas/common';
import { changedFields } from '../runtime/audit-diff';
import { ulid } from '../runtime/clock';
import type { Db } from './dynamo';
import { db, partitionOf, putIfNew, queryAll } from './dynamo';
import { keys } from './keys';

/** A TransactWriteItems action that appends one audit record (of what changed between `before` and `after`). */
export function auditPut(event: AuditEvent) {
  const { before: _before, after: _after, ...rest } = event;
  return putIfNew({
    ...keys.audit(event.entityId, event.at, ulid(Date.parse(event.at))),
    type: 'AUDIT',
    ...rest,
    ...changedFields(event.before, event.after),
  });
}

export async function auditTrail(entityId: string, client: Db = db()): Promise<AuditEvent[]> {
  const items = await queryAll(client, partitionOf(keys.auditPartition(entityId)));
  return items.map((i) => AuditEventSchema.parse(i));
}
