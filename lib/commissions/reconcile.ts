// Reconciliation: the commission and referral earnings recomputed from the orders and refunds, against
// the ledger's accrual, reversal and referral entries (payouts excluded), line by line.
import type { Order } from '../../schemas/orders';
import type { Principal } from '../runtime/auth';
import { requireOperator } from '../runtime/auth';
import { notFound } from '../runtime/errors';
import { endOfBusinessDate } from '../runtime/time';
import type { LeaderReads, LedgerStore } from './ledger';
import type { CommissionRules } from './rules';
import { commissionTarget, referralTarget } from './rules';

export interface ReconcileDeps {
  leaders: LeaderReads;
  ledger: LedgerStore;
  /** Every order placed through the leader's group buys (index queries, no Scan). */
  ordersOfLeader(leaderId: string): Promise<Order[]>;
  rules: CommissionRules;
}

export interface Discrepancy {
  orderId: string;
  productId: string;
  share: 'commission' | 'referral';
  expectedFen: number;
  ledgerFen: number;
  differenceFen: number;
}

/** `from`/`to` select orders by pickup time; a bare date means that whole day in Asia/Shanghai. */
function bounds(from?: string, to?: string) {
  const start = from ? (from.length === 10 ? endOfBusinessDate(from).getTime() - 86_400_000 : Date.parse(from)) : -Infinity;
  const end = to ? (to.length === 10 ? endOfBusinessDate(to).getTime() : Date.parse(to)) : Infinity;
  return (o: Order) => !!o.pickedUpAt && Date.parse(o.pickedUpAt) >= start && Date.parse(o.pickedUpAt) < end;
}

export async function reconcile(deps: ReconcileDeps, principal: Principal, leaderId: string, from?: string, to?: string) {
  requireOperator(principal);
  if (!(await deps.leaders.get(leaderId))) throw notFound('Leader');
  const inRange = bounds(from, to);
  const expected = new Map<string, number>();
  const counted = new Set<string>();
  const add = (order: Order, productId: string, share: 'commission' | 'referral', fen: number) => {
    counted.add(order.orderId);
    const key = `${order.orderId}|${productId}|${share}`;
    expected.set(key, (expected.get(key) ?? 0) + fen);
  };

  for (const order of (await deps.ordersOfLeader(leaderId)).filter(inRange)) {
    for (const line of order.items) add(order, line.productId, 'commission', commissionTarget(order, line));
  }
  for (const recruit of await deps.leaders.recruitsOf(leaderId)) {
    const referral = recruit.approvedAt ? { recruiterId: leaderId, from: recruit.approvedAt } : undefined;
    for (const order of (await deps.ordersOfLeader(recruit.leaderId)).filter(inRange)) {
      for (const line of order.items) add(order, line.productId, 'referral', referralTarget(order, line, referral, deps.rules));
    }
  }

  const booked = new Map<string, number>();
  const ranged = from !== undefined || to !== undefined;
  for (const e of await deps.ledger.allEntriesOfLeader(leaderId)) {
    if (e.kind === 'payout' || !e.orderId || !e.productId || !e.share) continue;
    // With a range, entries of orders outside it are not part of the comparison.
    if (ranged && !counted.has(e.orderId)) continue;
    const key = `${e.orderId}|${e.productId}|${e.share}`;
    booked.set(key, (booked.get(key) ?? 0) + e.amountFen);
  }

  const discrepancies: Discrepancy[] = [];
  for (const key of new Set([...expected.keys(), ...booked.keys()])) {
    const expectedFen = expected.get(key) ?? 0;
    const ledgerFen = booked.get(key) ?? 0;
    if (expectedFen !== ledgerFen) {
      const [orderId, productId, share] = key.split('|') as [string, string, 'commission' | 'referral'];
      discrepancies.push({ orderId, productId, share, expectedFen, ledgerFen, differenceFen: ledgerFen - expectedFen });
    }
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { leaderId, ...(from ? { from } : {}), ...(to ? { to } : {}), expectedFen: sum(expected), ledgerFen: sum(booked), discrepancies };
}
