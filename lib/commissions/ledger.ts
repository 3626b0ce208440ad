// The ports of the ledger and of payouts: what the commission, payout and audit use-cases need of a store.
import type { AuditEvent } from '../../schemas/common';
import type { LedgerEntry, Payout, PayoutTransfer } from '../../schemas/commissions';
import type { LeaderStore } from '../leaders/leaders';
import type { Page } from '../runtime/page';

/** What commissions, payouts and reconciliation read of leaders (they never write one). */
export type LeaderReads = Pick<LeaderStore, 'get' | 'getByUser' | 'listByStatus' | 'recruitsOf'>;

export interface PayableEntry {
  entryId: string;
  leaderId: string;
  orderId?: string;
  amountFen: number;
  availableAt: string;
}

/** Just a payable marker's fields (an entry carries more): what the stores keep of it, in the pool and in a claim. */
export const payableOf = (p: PayableEntry): PayableEntry => ({
  entryId: p.entryId,
  leaderId: p.leaderId,
  ...(p.orderId ? { orderId: p.orderId } : {}),
  amountFen: p.amountFen,
  availableAt: p.availableAt,
});

/** An order's ledger as read: its entries, and the version of its head (0 before the first booking). */
export interface OrderLedger {
  entries: LedgerEntry[];
  version: number;
}

/** A leader's running totals: every non-payout entry ever booked, and every payout paid. */
export interface LedgerSummary {
  earnedFen: number;
  paidFen: number;
}

export interface LedgerStore {
  /** The entries of one order and its head's version (strongly consistent: the next booking decides on them). */
  ledgerOfOrder(orderId: string): Promise<OrderLedger>;
  /**
   * Appends the entries of one booking of an order (each with its payable marker; the leaders' totals
   * follow; the audit records alongside), all or nothing, only if the order's ledger is still at
   * `version`: 'stale' when another booking came first (or an entry's cause was booked meanwhile).
   */
  book(orderId: string, version: number, entries: LedgerEntry[], audits: AuditEvent[]): Promise<'booked' | 'stale'>;
  /** A leader's entries, newest first, page by page. */
  entriesOfLeader(leaderId: string, limit: number, cursor?: string): Promise<Page<LedgerEntry>>;
  /** Every entry of a leader (reconciliation, which compares them all). */
  allEntriesOfLeader(leaderId: string): Promise<LedgerEntry[]>;
  /** The leader's entries created since `since` (the only ones that can still be pending). */
  entriesOfLeaderSince(leaderId: string, since: Date): Promise<LedgerEntry[]>;
  summaryOf(leaderId: string): Promise<LedgerSummary>;
  /** The leader's entries no payout has claimed whose after-sales window has passed, oldest first. */
  payableOfLeader(leaderId: string, now: Date): Promise<PayableEntry[]>;
}

export interface PayoutStore {
  get(payoutId: string): Promise<Payout | undefined>;
  /** The leader's open payout (proposing, proposed or approved), if any. */
  openPayoutOf(leaderId: string): Promise<Payout | undefined>;
  /** Opens a payout for the leader unless one is open already (then returns that one's id). */
  open(payout: Payout, audit: AuditEvent): Promise<{ payoutId: string; created: boolean }>;
  /**
   * Claims payable entries for a payout still proposing at its version: each entry leaves the payable pool
   * once and becomes a claim of the payout, atomically. 'conflict' when an entry was gone (claimed
   * elsewhere), 'stale' when the payout changed.
   */
  claim(payout: Payout, entries: PayableEntry[]): Promise<'claimed' | 'conflict' | 'stale'>;
  /**
   * Moves a payout from exactly `from` (and the version it was read at) to `to`; `paid` appends the payout
   * entry and frees the leader's open-payout guard, as `rejected` does. 'stale' if it was not there.
   */
  transition(
    payout: Payout,
    from: Payout['status'],
    to: Payout['status'],
    at: string,
    audit: AuditEvent,
    extra?: { reason?: string; payoutEntry?: LedgerEntry; fields?: Pick<Payout, 'riskFlags' | 'riskFigures' | 'releaseReason'> },
  ): Promise<'moved' | 'stale'>;
  /** The payable markers a payout claimed. */
  claimsOf(payoutId: string): Promise<PayableEntry[]>;
  /**
   * Records how an approved payout's transfer stands (still approved, at the version read, which it moves
   * on); `billNo` also becomes findable by the provider's notification (`payoutOfBill`).
   */
  noteTransfer(payout: Payout, transfer: PayoutTransfer, audit: AuditEvent): Promise<'noted' | 'stale'>;
  /** The payout a transfer bill belongs to. */
  payoutOfBill(billNo: string): Promise<string | undefined>;
  /** Gives a rejected payout's claims back to the payable pool (safe to repeat). */
  release(payout: Payout): Promise<void>;
  listByStatus(status: Payout['status'], limit: number, cursor?: string): Promise<Page<Payout>>;
  /** One payout run at a time: true when this run holds the lease until `until`. */
  acquireRunLease(runId: string, now: string, until: string): Promise<boolean>;
  releaseRunLease(runId: string): Promise<void>;
}
