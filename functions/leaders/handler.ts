// Leaders: apply, see one's own record, and the operators' review (approve, reject, suspend).
import {
  ApplyLeaderBodySchema,
  LeaderIdPathSchema,
  ListLeadersQuerySchema,
  ReasonBodySchema,
  UpdateMyLeaderBodySchema,
} from '../../schemas/leaders';
import type { LeaderAction } from '../../lib/leaders/leaders';
import { applyAsLeader, listLeaders, myLeaderRecord, reviewLeader, updateMyLeader } from '../../lib/leaders/leaders';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, listOf, route } from '../../lib/runtime/http';
import { leaderView } from '../../lib/leaders/view';
import { leaderDeps } from '../../lib/leaders/wiring';

const deps = leaderDeps();

const review = (action: LeaderAction, withReason: boolean) =>
  route({
    auth: 'user',
    path: LeaderIdPathSchema,
    ...(withReason ? { body: ReasonBodySchema } : {}),
    async handle({ principal, path, body }) {
      const reason = (body as { reason?: string } | undefined)?.reason;
      const leader = await reviewLeader(deps, principal, path.leaderId, action, reason);
      return { body: { leaderId: leader.leaderId, status: leader.status } };
    },
  });

export const routes: Routes = {
  'POST /leaders': route({
    auth: 'user',
    body: ApplyLeaderBodySchema,
    async handle({ principal, body }) {
      const leader = await applyAsLeader(deps, principal, body);
      return { status: 201, body: { leaderId: leader.leaderId, status: leader.status, referralCode: leader.referralCode } };
    },
  }),
  'GET /leaders/me': route({
    auth: 'user',
    answer: async ({ principal }) => leaderView(await myLeaderRecord(deps, principal)),
  }),
  'PATCH /leaders/me': route({
    auth: 'user',
    body: UpdateMyLeaderBodySchema,
    answer: async ({ principal, body }) => leaderView(await updateMyLeader(deps, principal, body)),
  }),
  'GET /leaders': route({
    auth: 'user',
    query: ListLeadersQuerySchema,
    answer: async ({ principal, query }) => listOf(await listLeaders(deps, principal, query.status, query.limit, query.cursor), leaderView),
  }),
  'POST /leaders/{leaderId}/approve': review('approve', false),
  'POST /leaders/{leaderId}/reject': review('reject', true),
  'POST /leaders/{leaderId}/suspend': review('suspend', true),
};

export const main = httpFunction(routes);
