// What 1,000 orders cost end to end on AWS on-demand, from this run's own measurements: each step's
// capacity units per order (the meters of the other sections) and its Lambda time (the function's memory
// in serverless.yml × the duration measured here), at the published prices of docs/cost.md.
// A step no section measures yet is listed as unmeasured, not guessed.
import { loadManifest } from '../infra/manifest';
import type { CustomersResult } from './customers';
import type { CutoffResult } from './cutoff';
import type { LifeResult } from './life';
import { LIFE_STEPS } from './life';
import type { OrdersResult } from './orders';
import type { PurchaseOrdersResult } from './purchase-orders';
import { round } from './harness';

/** On-demand prices in USD (docs/cost.md: region, date and source). */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-11-30',
  perMillionWriteRequestUnits: 0.625,
  perMillionReadRequestUnits: 0.125,
  /** Lambda on arm64 (serverless.yml's architecture), first 7.5 billion GB-s a month. */
  perGbSecondArm64: 0.0000133334,
  perMillionLambdaRequests: 0.2,
} as const;

export const ORDERS = 1_000;

export interface CostStep {
  step: string;
  function: string;
  measuredBy: string;
  wcuPerOrder: number;
  rcuPerOrder: number;
  invocationsPerOrder: number;
  /** Lambda time per order as measured on this machine (DynamoDB Local's latency included). */
  msPerOrder: number;
  memoryMb: number;
  gbSeconds: number;
  usd: { writes: number; reads: number; lambda: number; total: number };
}

export interface CostResult {
  orders: number;
  prices: typeof PRICES;
  steps: CostStep[];
  unmeasured: string[];
  total: { wcu: number; rcu: number; gbSeconds: number; usd: number; usdPerOrder: number };
  checks: Record<string, boolean>;
}

interface Measured {
  orders?: OrdersResult;
  cutoff?: CutoffResult;
  purchaseOrders?: PurchaseOrdersResult;
  customers?: CustomersResult;
  life?: LifeResult;
}

const largest = <T extends { orders: number }>(runs: T[]) => runs.reduce((a, b) => (b.orders > a.orders ? b : a));

/** The steps of an order's life, and the section (if any) that measures each. */
const LIFE = ['placement', 'payment', 'cutoff', 'pickup sheet', 'purchase order', 'pickup', 'commission'] as const;

export function costOf(measured: Measured): CostResult {
  const memory = Object.fromEntries(loadManifest(undefined, process.env, 'prod').map((fn) => [fn.name, fn.memorySize]));
  const steps: CostStep[] = [];
  const add = (step: string, fn: string, measuredBy: string, wcu: number, rcu: number, invocations: number, ms: number) => {
    const memoryMb = memory[fn]!;
    const gbSeconds = ((memoryMb / 1024) * ms * ORDERS) / 1000;
    const writes = ((wcu * ORDERS) / 1e6) * PRICES.perMillionWriteRequestUnits;
    const reads = ((rcu * ORDERS) / 1e6) * PRICES.perMillionReadRequestUnits;
    const lambda = gbSeconds * PRICES.perGbSecondArm64 + ((invocations * ORDERS) / 1e6) * PRICES.perMillionLambdaRequests;
    steps.push({
      step,
      function: fn,
      measuredBy,
      wcuPerOrder: wcu,
      rcuPerOrder: rcu,
      invocationsPerOrder: round(invocations, 4),
      msPerOrder: round(ms, 2),
      memoryMb,
      gbSeconds: round(gbSeconds, 3),
      usd: { writes: round(writes, 6), reads: round(reads, 6), lambda: round(lambda, 6), total: round(writes + reads + lambda, 6) },
    });
  };
  const { orders, cutoff, purchaseOrders, customers, life } = measured;
  // Placement: one HTTP call per order; its latency is the function's duration.
  if (orders) add('placement', 'orders', 'orders', orders.wcuPerOrder, orders.rcuPerOrder, 1, orders.p50Ms);
  if (cutoff) {
    // Closing: the invocations' summed duration (side-by-side chains overlap in wall time, not in billing).
    const run = cutoff.bySize.reduce((a, b) => (b.orders > a.orders ? b : a));
    add(
      'cutoff',
      'closeGroupBuys',
      'cutoff',
      run.wcuPerOrder,
      run.rcuPerOrder,
      run.invocations / run.orders,
      (run.invocations * run.meanInvocationSeconds * 1000) / run.orders,
    );
  }
  if (purchaseOrders) {
    // One call at a time on one shard: wall time is billed time.
    const run = largest(purchaseOrders.bySize);
    add(
      'purchase order',
      'consolidatePurchaseOrders',
      'purchaseOrders',
      run.wcuPerOrder,
      run.rcuPerOrder,
      run.calls / run.orders,
      run.msPerOrder,
    );
  }
  if (customers) {
    const c = customers;
    add(
      'customer book (stream consumer)',
      'customerBook',
      'customers',
      c.perOrder.wcu,
      c.perOrder.rcu,
      c.calls / c.config.orders,
      1000 / c.ordersPerSecond,
    );
  }
  for (const name of LIFE_STEPS) {
    const step = life?.steps[name];
    if (step) add(name, step.function, 'life', step.wcuPerOrder, step.rcuPerOrder, step.invocationsPerOrder, step.msPerOrder);
  }
  // In the order of an order's life (what is not one of its steps, last).
  const rank = (s: CostStep) => {
    const i = (LIFE as readonly string[]).indexOf(s.step);
    return i < 0 ? LIFE.length : i;
  };
  steps.sort((a, b) => rank(a) - rank(b));
  const unmeasured = LIFE.filter((step) => !steps.some((s) => s.step === step));
  const sum = (f: (s: CostStep) => number) => steps.reduce((a, s) => a + f(s), 0);
  const usd = sum((s) => s.usd.total);
  return {
    orders: ORDERS,
    prices: PRICES,
    steps,
    unmeasured: [...unmeasured],
    total: {
      wcu: round(sum((s) => s.wcuPerOrder) * ORDERS, 0),
      rcu: round(sum((s) => s.rcuPerOrder) * ORDERS, 0),
      gbSeconds: round(
        sum((s) => s.gbSeconds),
        3,
      ),
      usd: round(usd, 4),
      usdPerOrder: round(usd / ORDERS, 7),
    },
    checks: { someStepMeasured: steps.length > 0, everyStepOfTheLifeMeasured: unmeasured.length === 0 },
  };
}
