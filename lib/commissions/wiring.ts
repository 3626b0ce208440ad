// Production wiring of the commission, payout and audit use-cases.
import { randomIds, systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoLedgerStore, dynamoPayoutStore } from '../store/ledger';
import { ordersOfLeader } from '../store/leader-orders';
import { dynamoSandboxPayoutBooks } from '../store/sandbox-payouts';
import { dynamoWeChatIdentities } from '../store/wechat-identities';
import { usesWeChatPay, wechatPay } from '../payments/wiring';
import type { CommissionDeps } from './commissions';
import { sandboxPayoutProvider, type PayoutProvider } from './payout-provider';
import type { PayoutDeps } from './payouts';
import type { ReconcileDeps } from './reconcile';
import type { CommissionRules } from './rules';

export const commissionRules = (): CommissionRules => ({
  referralBps: config.referralBps,
  referralDays: config.referralDays,
  afterSalesHours: config.afterSalesHours,
});

/** Payouts go where payments come from: WeChat Pay 商家转账, or the sandbox (local stage only). */
const payoutProvider = (): PayoutProvider =>
  usesWeChatPay
    ? wechatPay.transfers
    : config.isLocal
      ? sandboxPayoutProvider(dynamoSandboxPayoutBooks())
      : {
          pay: async ({ payoutId }) => {
            throw new Error(`PAYMENT_PROVIDER=sandbox is for the local stage only: payout ${payoutId} not sent`);
          },
        };

export const commissionDeps = (): CommissionDeps => ({
  ledger: dynamoLedgerStore(),
  leaders: dynamoLeaderStore(),
  clock: systemClock,
  rules: commissionRules(),
});

/** The transfers' notifications (WeChat Pay 商家转账). */
export const transferNotifications = () => wechatPay.transfers;

export const payoutDeps = (): PayoutDeps => ({
  ledger: dynamoLedgerStore(),
  payouts: dynamoPayoutStore(),
  leaders: dynamoLeaderStore(),
  provider: payoutProvider(),
  payees: dynamoWeChatIdentities(),
  clock: systemClock,
  ids: randomIds,
  minPayoutFen: config.minPayoutFen,
});

export const reconcileDeps = (): ReconcileDeps => ({
  leaders: dynamoLeaderStore(),
  ledger: dynamoLedgerStore(),
  ordersOfLeader: ordersOfLeader(),
  rules: commissionRules(),
});
