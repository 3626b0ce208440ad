// Operators audit: commissions reconciled with the orders to the fen, and any entity's audit trail.
import { AuditEventsQuerySchema, ReconciliationQuerySchema } from '../../schemas/commissions';
import { reconcile } from '../../lib/commissions/reconcile';
import { reconcileDeps } from '../../lib/commissions/wiring';
import { auditEvents } from '../../lib/audit/audit';
import { auditDeps } from '../../lib/audit/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = reconcileDeps();
const audit = auditDeps();

export const routes: Routes = {
  'GET /audit/reconciliation': route({
    auth: 'user',
    query: ReconciliationQuerySchema,
    answer: ({ principal, query }) => reconcile(deps, principal, query.leaderId, query.from, query.to),
  }),
  'GET /audit/events': route({
    auth: 'user',
    query: AuditEventsQuerySchema,
    answer: ({ principal, query }) => auditEvents(audit, principal, query.entityId),
  }),
};

export const main = httpFunction(routes);
