// Operators review the proposed payouts: approve (paid through the payout port) or reject.
import { ListPayoutsQuerySchema, PayoutIdPathSchema, RejectPayoutBodySchema, ReleasePayoutBodySchema } from '../../schemas/commissions';
import type { PayoutWithEntries } from '../../lib/commissions/payouts';
import {
  approvePayout,
  collectPayout,
  listPayouts,
  myOpenPayout,
  receiveTransferResult,
  rejectPayout,
  releasePayout,
} from '../../lib/commissions/payouts';
import { payoutDeps, transferNotifications } from '../../lib/commissions/wiring';
import { usesWeChatPay } from '../../lib/payments/wiring';
import { notFound } from '../../lib/runtime/errors';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, listOf, route } from '../../lib/runtime/http';
import { toBusinessIso } from '../../lib/runtime/time';
import { answerWeChatPay } from '../../lib/runtime/wechatpay-reply';

const deps = payoutDeps();

export const payoutView = (p: PayoutWithEntries) => ({
  payoutId: p.payoutId,
  leaderId: p.leaderId,
  amountFen: p.amountFen,
  status: p.status,
  entryIds: p.entryIds,
  createdAt: toBusinessIso(p.createdAt),
  ...(p.paidAt ? { paidAt: toBusinessIso(p.paidAt) } : {}),
  ...(p.reason ? { reason: p.reason } : {}),
  // Why it was held, with the figures behind it (kept after a release, as a record).
  ...(p.riskFlags ? { riskFlags: p.riskFlags } : {}),
  ...(p.riskFigures ? { riskFigures: p.riskFigures } : {}),
  ...(p.releaseReason ? { releaseReason: p.releaseReason } : {}),
  ...(p.transfer
    ? {
        transfer: {
          state: p.transfer.state,
          attempt: p.transfer.attempt,
          ...(p.transfer.detail ? { detail: p.transfer.detail } : {}),
          // For the leader's page: WeixinJSBridge.invoke('requestMerchantTransfer', confirm) to accept it.
          ...(p.transfer.confirm && p.transfer.state === 'submitted' ? { confirm: p.transfer.confirm } : {}),
        },
        ...(p.transfer.state === 'waiting_for_payee' ? { waitingFor: 'wechat_sign_in' } : {}),
      }
    : {}),
});

export const routes: Routes = {
  'GET /payouts': route({
    auth: 'user',
    query: ListPayoutsQuerySchema,
    answer: async ({ principal, query }) => listOf(await listPayouts(deps, principal, query.status, query.limit, query.cursor), payoutView),
  }),
  'POST /payouts/{payoutId}/approve': route({
    auth: 'user',
    path: PayoutIdPathSchema,
    answer: async ({ principal, path }) => payoutView(await approvePayout(deps, principal, path.payoutId)),
  }),
  'POST /payouts/{payoutId}/release': route({
    auth: 'user',
    path: PayoutIdPathSchema,
    body: ReleasePayoutBodySchema,
    answer: async ({ principal, path, body }) => payoutView(await releasePayout(deps, principal, path.payoutId, body.reason)),
  }),
  'POST /payouts/{payoutId}/reject': route({
    auth: 'user',
    path: PayoutIdPathSchema,
    body: RejectPayoutBodySchema,
    answer: async ({ principal, path, body }) => payoutView(await rejectPayout(deps, principal, path.payoutId, body.reason)),
  }),
  'GET /leaders/me/payout': route({
    auth: 'user',
    async handle({ principal }) {
      const payout = await myOpenPayout(deps, principal);
      if (!payout) throw notFound('Open payout');
      return { body: payoutView(payout) };
    },
  }),
  'POST /leaders/me/payout/collect': route({
    auth: 'user',
    answer: async ({ principal }) => payoutView(await collectPayout(deps, principal)),
  }),
  // WeChat Pay's 商家转账 notification (MCHTRANSFER.BILL.FINISHED), authenticated by its signature.
  'POST /payouts/wechatpay/notify': route({
    auth: 'public',
    handle: ({ rawBody, headers }) =>
      answerWeChatPay(usesWeChatPay, () => receiveTransferResult(deps, transferNotifications().openTransferResult(rawBody, headers))),
  }),
};

export const main = httpFunction(routes);
