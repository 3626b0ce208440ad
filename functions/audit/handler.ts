// Operators audit: commissions reconciled with the orders to the fen, and any entity's audit trail.
import { AuditEventsQuerySchema, ReconciliationQuerySchema } from '../../schemas/commissions';
import { reconcile } from '../../lib/commissions/reconcile';
import { reconcileDeps } from '../../lib/commissions/wiring';
import { requireOperator } from '../../lib/runtime/auth';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';
import { toBusinessIso } from '../../lib/runtime/time';
import { auditTrail } from '../../lib/store/audit';

const deps = reconcileDeps();

export const routes: Routes = {
  'GET /audit/reconciliation': route({
    auth: 'user',
    query: ReconciliationQuerySchema,
    async handle({ principal, query }) {
      return { body: await reconcile(deps, principal, query.leaderId, query.from, query.to) };
    },
  }),
  'GET /audit/events': route({
    auth: 'user',
    query: AuditEventsQuerySchema,
    async handle({ principal, query }) {
      requireOperator(principal);
      const events = await auditTrail(query.entityId);
      return {
        body: {
          items: events.map((e) => ({
            at: toBusinessIso(e.at),
            actor: e.actor,
            action: e.action,
            entityId: e.entityId,
            entityType: e.entityType,
            ...(e.before !== undefined ? { before: e.before } : {}),
            ...(e.after !== undefined ? { after: e.after } : {}),
          })),
        },
      };
    },
  }),
};

export const main = httpFunction(routes);
