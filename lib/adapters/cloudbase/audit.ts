// Audit records on CloudBase: written inside the transaction of the change they describe, as on DynamoDB.
import type { AuditEvent } from '../../../schemas/common';
import { AuditEventSchema } from '../../../schemas/common';
import { changedFields } from '../../runtime/audit-diff';
import { ulid } from '../../runtime/clock';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, Transaction } from './db';
import { cloudbaseDb, entityOf, queryAll, txDoc } from './db';

/** Appends one audit record inside the transaction: what changed, as on DynamoDB (lib/runtime/audit-diff.ts). */
export async function auditAdd(tx: Transaction, event: AuditEvent): Promise<void> {
  const id = idOf(event.entityId, event.at, ulid(Date.parse(event.at)));
  const { before: _before, after: _after, ...rest } = event;
  await txDoc(tx, COLLECTIONS.audit, id).create({ ...rest, ...changedFields(event.before, event.after) });
}

export async function cloudbaseAuditTrail(entityId: string, db: CloudBaseDb = cloudbaseDb()): Promise<AuditEvent[]> {
  // `_id` is entityId#at#ulid: its order is the order of the events.
  const docs = await queryAll(db, COLLECTIONS.audit, { entityId });
  return docs.map(entityOf(AuditEventSchema));
}
