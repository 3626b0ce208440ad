// Production wiring of the commission, payout and audit use-cases: the store adapters the DATA_STORE setting
// names (DynamoDB on AWS and in the local stack, CloudBase's document database in the CloudBase build).
import { cloudbaseOrdersOfLeader } from '../adapters/cloudbase/leader-orders';
import { cloudbaseLedgerStore, cloudbasePayoutStore } from '../adapters/cloudbase/ledger';
import { cloudbaseRiskReader } from '../adapters/cloudbase/risk';
import { cloudbaseSandboxPayoutBooks } from '../adapters/cloudbase/sandbox-payouts';
import { randomIds, systemClock } from '../runtime/clock';
import { config, onCloudBase } from '../runtime/config';
import { dynamoRiskReader } from '../store/risk';
import { dynamoLedgerStore, dynamoPayoutStore } from '../store/ledger';
import { ordersOfLeader } from '../store/leader-orders';
import { dynamoSandboxPayoutBooks } from '../store/sandbox-payouts';
import { leaderStore } from '../leaders/wiring';
import { usesWeChatPay, wechatIdentities, wechatPay } from '../payments/wiring';
import type { WeChatIdentities } from '../payments/provider';
import type { CommissionDeps } from './commissions';
import type { PayoutProvider, SandboxPayoutBooks } from './payout-provider';
import { sandboxPayoutProvider } from './payout-provider';
import type { PayoutDeps } from './payouts';
import type { ReconcileDeps } from './reconcile';
import type { RiskReader } from './risk';
import type { CommissionRules } from './rules';
import type { LeaderReads, LedgerStore, PayoutStore } from './ledger';

/** The stores of commissions and payouts on the configured data store. */
function stores(): {
  ledger: LedgerStore;
  payouts: PayoutStore;
  leaders: LeaderReads;
  risk: RiskReader;
  sandboxBooks: () => SandboxPayoutBooks;
  payees: WeChatIdentities;
  ordersOfLeader: ReconcileDeps['ordersOfLeader'];
} {
  const cloudbase = onCloudBase();
  return {
    ledger: cloudbase ? cloudbaseLedgerStore() : dynamoLedgerStore(),
    payouts: cloudbase ? cloudbasePayoutStore() : dynamoPayoutStore(),
    leaders: leaderStore(),
    risk: cloudbase ? cloudbaseRiskReader() : dynamoRiskReader(),
    sandboxBooks: () => (cloudbase ? cloudbaseSandboxPayoutBooks() : dynamoSandboxPayoutBooks()),
    payees: wechatIdentities(),
    ordersOfLeader: cloudbase ? cloudbaseOrdersOfLeader() : ordersOfLeader(),
  };
}

export const commissionRules = (): CommissionRules => ({
  referralBps: config.referralBps,
  referralDays: config.referralDays,
  afterSalesHours: config.afterSalesHours,
});

/** Payouts go where payments come from: WeChat Pay 商家转账, or the sandbox (local stage only). */
const payoutProvider = (books: () => SandboxPayoutBooks): PayoutProvider =>
  usesWeChatPay
    ? wechatPay.transfers
    : config.isLocal
      ? sandboxPayoutProvider(books())
      : {
          pay: async ({ payoutId }) => {
            throw new Error(`PAYMENT_PROVIDER=sandbox is for the local stage only: payout ${payoutId} not sent`);
          },
        };

export const commissionDeps = (): CommissionDeps => {
  const { ledger, leaders } = stores();
  return { ledger, leaders, clock: systemClock, rules: commissionRules() };
};

/** The transfers' notifications (WeChat Pay 商家转账). */
export const transferNotifications = () => wechatPay.transfers;

export const payoutDeps = (): PayoutDeps => {
  const { ledger, payouts, leaders, risk, sandboxBooks, payees } = stores();
  return {
    ledger,
    payouts,
    leaders,
    provider: payoutProvider(sandboxBooks),
    payees,
    clock: systemClock,
    ids: randomIds,
    minPayoutFen: config.minPayoutFen,
    risk: { reader: risk, rules: { refundRateBps: config.riskRefundRateBps, selfPurchaseBps: config.riskSelfPurchaseBps } },
  };
};

export const reconcileDeps = (): ReconcileDeps => {
  const { leaders, ledger, ordersOfLeader } = stores();
  return { leaders, ledger, ordersOfLeader, rules: commissionRules() };
};
