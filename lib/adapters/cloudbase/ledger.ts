// CloudBase adapters of the LedgerStore and PayoutStore ports, with the DynamoDB adapter's guarantees
// (lib/store/ledger.ts): an order's bookings are decided on its head's version (a document every booking of
// the order writes, so two bookings that read the same ledger conflict and one comes back 'stale'); entries
// are immutable documents keyed by their cause-derived ids; a payable entry is one document that a claim
// removes in the claiming transaction (so two claims of it conflict, and the loser finds it gone); every
// payout transition reads the payout inside its transaction and writes it only from the exact status and
// version it was decided on. Each change writes its audit record, and the outbox items the consumers of
// LEDGER_ENTRY and PAYOUT changes want, in the same transaction.
import type { LedgerEntry, Payout } from '../../../schemas/commissions';
import { LedgerEntrySchema, PayoutSchema } from '../../../schemas/commissions';
import type { AuditEvent } from '../../../schemas/common';
import type { LedgerStore, PayableEntry, PayoutStore } from '../../commissions/ledger';
import { payableOf } from '../../commissions/ledger';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, StoredDoc, Transaction } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, isDuplicate, pageBy, queryAll, Rollback, txDoc } from './db';
import { outboxAdd } from './outbox';

/** An entry as stored: its fields and the sort key of a leader's ledger (newest first, paged; `since`). */
const entryDoc = (e: LedgerEntry) => ({ ...e, byLeader: idOf(e.createdAt, e.entryId) });
const parseEntry = entityOf(LedgerEntrySchema);

const toPayable = (d: StoredDoc): PayableEntry => ({
  entryId: String(d.entryId),
  leaderId: String(d.leaderId),
  ...(typeof d.orderId === 'string' ? { orderId: d.orderId } : {}),
  amountFen: Number(d.amountFen),
  availableAt: String(d.availableAt),
});

/** A payable marker's id: in `_id` order, a leader's markers come oldest available first. */
const payableId = (p: PayableEntry) => idOf(p.leaderId, p.availableAt, p.entryId);

/** Appends an entry, its outbox items (accruals, reversals and referrals reach the customer book) and nothing else. */
async function addEntry(tx: Transaction, entry: LedgerEntry): Promise<void> {
  await txDoc(tx, COLLECTIONS.ledgerEntries, entry.entryId).create(entryDoc(entry));
  await outboxAdd(tx, { eventName: 'INSERT', type: 'LEDGER_ENTRY', key: entry.entryId, image: entry });
}

/** Adds to a leader's running totals: read and written in the transaction (an `inc` of a missing document writes nothing). */
async function addToSummary(tx: Transaction, leaderId: string, field: 'earnedFen' | 'paidFen', amountFen: number): Promise<void> {
  const doc = txDoc(tx, COLLECTIONS.ledgerSummaries, leaderId);
  const current = await doc.get();
  const totals = { earnedFen: Number(current?.earnedFen ?? 0), paidFen: Number(current?.paidFen ?? 0) };
  totals[field] += amountFen;
  await doc.set({ leaderId, ...totals });
}

/** A write whose entry (or other cause-keyed document) exists already: the decision it was made on is stale. */
async function staleOnDuplicate<T>(write: Promise<T>): Promise<T | 'stale'> {
  try {
    return await write;
  } catch (err) {
    if (isDuplicate(err)) return 'stale';
    throw err;
  }
}

export function cloudbaseLedgerStore(
  db: CloudBaseDb = cloudbaseDb(),
): LedgerStore & { entriesForOrder(orderId: string): Promise<LedgerEntry[]> } {
  const _ = db.command;
  const ledgerOfOrder = async (orderId: string) => {
    // The head first: entries booked after it was read make the next booking stale, never a double one.
    const head = await getDoc(db, COLLECTIONS.ledgerHeads, orderId);
    const entries = (await queryAll(db, COLLECTIONS.ledgerEntries, { orderId })).map(parseEntry);
    return { entries, version: typeof head?.version === 'number' ? head.version : 0 };
  };

  return {
    ledgerOfOrder,
    /** Every entry of an order (tests and tools). */
    async entriesForOrder(orderId) {
      return (await ledgerOfOrder(orderId)).entries;
    },

    book: (orderId, version, entries, audits) =>
      staleOnDuplicate(
        inTransaction(db, async (tx): Promise<'booked' | Rollback<'stale'>> => {
          const head = txDoc(tx, COLLECTIONS.ledgerHeads, orderId);
          // ledgerAsRead: no other booking of this order committed since its entries were read.
          if (Number((await head.get())?.version ?? 0) !== version) return new Rollback('stale');
          await head.set({ orderId, version: version + 1 });
          const earned = new Map<string, number>();
          for (const entry of entries) {
            await addEntry(tx, entry);
            await txDoc(tx, COLLECTIONS.payables, payableId(entry)).create({ ...payableOf(entry) });
            earned.set(entry.leaderId, (earned.get(entry.leaderId) ?? 0) + entry.amountFen);
          }
          for (const [leaderId, amount] of earned) await addToSummary(tx, leaderId, 'earnedFen', amount);
          for (const audit of audits) await auditAdd(tx, audit);
          return 'booked';
        }),
      ),

    async entriesOfLeader(leaderId, limit, cursor) {
      return pageBy(db, COLLECTIONS.ledgerEntries, { leaderId }, 'byLeader', 'desc', limit, cursor, parseEntry);
    },

    async allEntriesOfLeader(leaderId) {
      return (await queryAll(db, COLLECTIONS.ledgerEntries, { leaderId })).map(parseEntry);
    },

    async entriesOfLeaderSince(leaderId, since) {
      return (await queryAll(db, COLLECTIONS.ledgerEntries, { leaderId, byLeader: _.gte(since.toISOString()) })).map(parseEntry);
    },

    async summaryOf(leaderId) {
      const summary = await getDoc(db, COLLECTIONS.ledgerSummaries, leaderId);
      return { earnedFen: Number(summary?.earnedFen ?? 0), paidFen: Number(summary?.paidFen ?? 0) };
    },

    async payableOfLeader(leaderId, now) {
      const docs = await queryAll(db, COLLECTIONS.payables, { leaderId, availableAt: _.lte(now.toISOString()) });
      return docs.map(toPayable);
    },
  };
}

/** A payout as stored: its fields and the sort key of `GET /payouts?status=` (oldest first). */
const payoutDoc = (p: Payout) => ({ ...p, byStatus: idOf(p.createdAt, p.payoutId) });
const parsePayout = entityOf(PayoutSchema);

/** Writes the payout as it becomes, with its outbox items (paid and held payouts reach the notices) and audit record. */
async function putPayout(tx: Transaction, payout: Payout, eventName: 'INSERT' | 'MODIFY', audit: AuditEvent): Promise<void> {
  const doc = txDoc(tx, COLLECTIONS.payouts, payout.payoutId);
  await (eventName === 'INSERT' ? doc.create(payoutDoc(payout)) : doc.set(payoutDoc(payout)));
  await outboxAdd(tx, { eventName, type: 'PAYOUT', key: payout.payoutId, image: payout });
  await auditAdd(tx, audit);
}

/** The payout in the transaction, if it is still at `status` (any of them) and the version it was read at. */
async function payoutAsRead(tx: Transaction, payout: Payout, statuses: Payout['status'][]): Promise<Payout | undefined> {
  const doc = await txDoc(tx, COLLECTIONS.payouts, payout.payoutId).get();
  const current = doc && parsePayout(doc);
  return current && statuses.includes(current.status) && current.version === payout.version ? current : undefined;
}

const RUN_LEASE = 'payoutRun';

type Opened = Awaited<ReturnType<PayoutStore['open']>>;

export function cloudbasePayoutStore(db: CloudBaseDb = cloudbaseDb()): PayoutStore {
  const get = async (payoutId: string) => {
    return getDoc(db, COLLECTIONS.payouts, payoutId, parsePayout);
  };
  const claimsOf = async (payoutId: string) => (await queryAll(db, COLLECTIONS.payoutClaims, { payoutId })).map(toPayable);

  return {
    get,
    claimsOf,

    async openPayoutOf(leaderId) {
      const state = await getDoc(db, COLLECTIONS.payoutStates, leaderId);
      return typeof state?.openPayoutId === 'string' ? get(state.openPayoutId) : undefined;
    },

    open: (payout, audit) =>
      inTransaction(db, async (tx): Promise<Opened | Rollback<Opened>> => {
        const state = txDoc(tx, COLLECTIONS.payoutStates, payout.leaderId);
        const open = (await state.get())?.openPayoutId;
        // oneOpenPayout: a leader has at most one payout being proposed, proposed, held or approved.
        if (typeof open === 'string') return new Rollback({ payoutId: open, created: false });
        await state.set({ leaderId: payout.leaderId, openPayoutId: payout.payoutId });
        await putPayout(tx, payout, 'INSERT', audit);
        return { payoutId: payout.payoutId, created: true };
      }),

    claim: (payout, entries) =>
      entries.length === 0
        ? Promise.resolve('claimed')
        : inTransaction(db, async (tx): Promise<'claimed' | Rollback<'conflict' | 'stale'>> => {
            const current = await payoutAsRead(tx, payout, ['proposing']);
            if (!current) return new Rollback('stale');
            for (const e of entries) {
              // Each entry leaves the payable pool exactly once: a second claimer finds its marker gone, or
              // conflicts with the claim that is removing it.
              const marker = txDoc(tx, COLLECTIONS.payables, payableId(e));
              if (!(await marker.get())) return new Rollback('conflict');
              await marker.remove();
              await txDoc(tx, COLLECTIONS.payoutClaims, idOf(payout.payoutId, e.entryId)).create({
                payoutId: payout.payoutId,
                ...payableOf(e),
              });
            }
            const sum = entries.reduce((s, e) => s + e.amountFen, 0);
            const next = {
              ...current,
              amountFen: current.amountFen + sum,
              entryCount: current.entryCount + entries.length,
              version: current.version + 1,
            };
            await txDoc(tx, COLLECTIONS.payouts, payout.payoutId).set(payoutDoc(next));
            return 'claimed';
          }),

    transition: (payout, from, to, at, audit, extra = {}) =>
      staleOnDuplicate(
        inTransaction(db, async (tx): Promise<'moved' | Rollback<'stale'>> => {
          // exactlyFrom: the status it leaves, at the version it was read at; nothing ever moves back.
          const current = await payoutAsRead(tx, payout, [from]);
          if (!current) return new Rollback('stale');
          if (to === 'paid' || to === 'rejected') {
            const state = txDoc(tx, COLLECTIONS.payoutStates, payout.leaderId);
            if ((await state.get())?.openPayoutId !== payout.payoutId) return new Rollback('stale');
            await state.set({ leaderId: payout.leaderId });
          }
          if (extra.payoutEntry) {
            await addEntry(tx, extra.payoutEntry);
            await addToSummary(tx, payout.leaderId, 'paidFen', -extra.payoutEntry.amountFen);
          }
          const next: Payout = {
            ...current,
            ...extra.fields,
            status: to,
            version: current.version + 1,
            updatedAt: at,
            ...(extra.reason ? { reason: extra.reason } : {}),
            ...(to === 'paid' ? { paidAt: at } : {}),
          };
          await putPayout(tx, next, 'MODIFY', audit);
          return 'moved';
        }),
      ),

    noteTransfer: (payout, transfer, audit) =>
      inTransaction(db, async (tx): Promise<'noted' | Rollback<'stale'>> => {
        // stillApprovedAsRead: a transfer is noted only on the approved payout at the version this decision read.
        const current = await payoutAsRead(tx, payout, ['approved']);
        if (!current) return new Rollback('stale');
        if (transfer.billNo)
          await txDoc(tx, COLLECTIONS.transferBills, transfer.billNo).set({ billNo: transfer.billNo, payoutId: payout.payoutId });
        await putPayout(tx, { ...current, transfer, version: current.version + 1, updatedAt: transfer.updatedAt }, 'MODIFY', audit);
        return 'noted';
      }),

    async payoutOfBill(billNo) {
      const bill = await getDoc(db, COLLECTIONS.transferBills, billNo);
      return typeof bill?.payoutId === 'string' ? bill.payoutId : undefined;
    },

    async release(payout) {
      // Idempotent: a marker put back twice is the same document.
      for (const claim of await claimsOf(payout.payoutId))
        await db.collection(COLLECTIONS.payables).doc(payableId(claim)).set(payableOf(claim));
    },

    async listByStatus(status, limit, cursor) {
      return pageBy(db, COLLECTIONS.payouts, { status }, 'byStatus', 'asc', limit, cursor, parsePayout);
    },

    acquireRunLease: (runId, now, until) =>
      inTransaction(db, async (tx): Promise<boolean | Rollback<boolean>> => {
        const lease = txDoc(tx, COLLECTIONS.payoutRunLeases, RUN_LEASE);
        const held = await lease.get();
        // Free, or left by a run that died: its lease has run out.
        if (held && String(held.until) >= now) return new Rollback(false);
        await lease.set({ runId, until });
        return true;
      }),

    releaseRunLease: (runId) =>
      inTransaction(db, async (tx) => {
        const lease = txDoc(tx, COLLECTIONS.payoutRunLeases, RUN_LEASE);
        // Taken over by another run meanwhile (ours ran out): that lease is theirs.
        if ((await lease.get())?.runId === runId) await lease.remove();
      }),
  };
}
