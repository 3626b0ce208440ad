// Any entity's audit trail, for operators: who did what to it and when, oldest first.
import type { AuditEvent } from '../../schemas/common';
import type { Principal } from '../runtime/auth';
import { requireOperator } from '../runtime/auth';
import { toBusinessIso } from '../runtime/time';

export interface AuditReader {
  /** Every audit record of an entity, in the order they were written. */
  trail(entityId: string): Promise<AuditEvent[]>;
}

export interface AuditDeps {
  audit: AuditReader;
}

export async function auditEvents(deps: AuditDeps, principal: Principal, entityId: string) {
  requireOperator(principal);
  const events = await deps.audit.trail(entityId);
  return {
    items: events.map((e) => ({
      at: toBusinessIso(e.at),
      actor: e.actor,
      action: e.action,
      entityId: e.entityId,
      entityType: e.entityType,
      ...(e.before !== undefined ? { before: e.before } : {}),
      ...(e.after !== undefined ? { after: e.after } : {}),
    })),
  };
}
