// Production wiring of the commission, payout and audit use-cases.
import { randomIds, systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoLedgerStore, dynamoPayoutStore } from '../store/ledger';
import { ordersOfLeader } from '../store/leader-orders';
import { dynamoSandboxPayoutBooks } from '../store/sandbox-payouts';
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

/** The sandbox pays locally; other stages refuse until a real payout adapter is wired here. */
const payoutProvider = (): PayoutProvider =>
  config.isLocal
    ? sandboxPayoutProvider(dynamoSandboxPayoutBooks())
    : {
        pay: async ({ payoutId }) => {
          throw new Error(`No payout provider adapter in stage ${config.stage}: payout ${payoutId} not sent`);
        },
      };

export const commissionDeps = (): CommissionDeps => ({
  ledger: dynamoLedgerStore(),
  leaders: dynamoLeaderStore(),
  clock: systemClock,
  rules: commissionRules(),
});

export const payoutDeps = (): PayoutDeps => ({
  ledger: dynamoLedgerStore(),
  payouts: dynamoPayoutStore(),
  leaders: dynamoLeaderStore(),
  provider: payoutProvider(),
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
