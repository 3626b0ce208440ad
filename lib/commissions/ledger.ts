// The ledger port and the use-cases on it: booking an order's commissions, balances, payouts.
import type { AuditEvent } from '../../schemas/common';
import type { LedgerEntry, Payout } from '../../schemas/commissions';

export interface PayableEntry {
  entryId: string;
  leaderId: string;
  orderId?: string;
  amountFen: number;
  availableAt: string;
}

export interface LedgerStore {
  /** The entries of one order (strongly consistent: the next change books against them). */
  entriesForOrder(orderId: string): Promise<LedgerEntry[]>;
  /** Appends an entry (and its payable marker, and its audit record); 'exists' if its cause was booked. */
  append(entry: LedgerEntry, audit: AuditEvent): Promise<'appended' | 'exists'>;
  entriesOfLeader(leaderId: string): Promise<LedgerEntry[]>;
  /** Every entry not claimed by any payout whose after-sales window has passed, oldest first. */
  payableUpTo(now: Date): Promise<PayableEntry[]>;
  payableOfLeader(leaderId: string, now: Date): Promise<PayableEntry[]>;
}

export interface PayoutStore {
  get(payoutId: string): Promise<Payout | undefined>;
  /** The leader's open payout (proposing, proposed or approved), if any. */
  openPayoutOf(leaderId: string): Promise<Payout | undefined>;
  /** Opens a payout for the leader unless one is open already (then returns that one's id). */
  open(payout: Payout, audit: AuditEvent): Promise<{ payoutId: string; created: boolean }>;
  /** Claims payable entries for a proposing payout: each entry once, recorded on the payout atomically. */
  claim(payoutId: string, entries: PayableEntry[]): Promise<'claimed' | 'conflict' | 'not_proposing'>;
  /** proposing → proposed. */
  propose(payout: Payout, at: string, audit: AuditEvent): Promise<'proposed' | 'stale'>;
  /** Moves a payout between statuses, conditionally; `paid` appends the payout entry and closes it. */
  transition(
    payout: Payout,
    to: Payout['status'],
    at: string,
    audit: AuditEvent,
    extra?: { reason?: string; payoutEntry?: LedgerEntry },
  ): Promise<'moved' | 'stale'>;
  /** Gives a rejected payout's entries back to the payable pool. */
  release(payout: Payout): Promise<void>;
  listByStatus(status: Payout['status']): Promise<Payout[]>;
  /** The payable markers a payout claimed (to release them). */
  claimedEntries(payout: Payout): Promise<PayableEntry[]>;
}
