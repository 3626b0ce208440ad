// DynamoDB adapters of the LedgerStore and PayoutStore ports. Nothing here grows with a leader's history
// in one item or one read: an order's entries share a small partition with its head, payable markers
// live in the leader's own partition, a payout's claims are items of their own, and lists are paged.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerStore, PayableEntry, PayoutStore } from '../commissions/ledger';
import { payableOf } from '../commissions/ledger';
import type { LedgerEntry, Payout } from '../../schemas/commissions';
import { LedgerEntrySchema, PayoutSchema } from '../../schemas/commissions';
import { auditPut } from './audit';
import type { Db, TransactItem } from './dynamo';
import {
  atVersion,
  cancellationReasons,
  db,
  guardedWrite,
  partitionOf,
  putIf,
  putIfNew,
  queryAll,
  queryPage,
  readItem,
  tableName,
  transactWrite,
  unlessConditionFails,
} from './dynamo';
import { INDEX, keys } from './keys';

const entryItem = (e: LedgerEntry) => ({
  ...(e.kind === 'payout' ? keys.payoutEntry(e.payoutId!) : keys.ledgerEntry(e.orderId!, e.entryId)),
  ...keys.ledgerByLeader(e.leaderId, e.createdAt, e.entryId),
  type: 'LEDGER_ENTRY',
  ...e,
});

const toPayable = (i: Record<string, unknown>): PayableEntry => ({
  entryId: String(i.entryId),
  leaderId: String(i.leaderId),
  ...(typeof i.orderId === 'string' ? { orderId: i.orderId } : {}),
  amountFen: Number(i.amountFen),
  availableAt: String(i.availableAt),
});

const payableItem = (p: PayableEntry) => ({ ...keys.payable(p.leaderId, p.availableAt, p.entryId), type: 'PAYABLE', ...payableOf(p) });

/** Adds to a leader's running totals (the summary item is made by its first ADD). */
const summaryAdd = (leaderId: string, field: 'earnedFen' | 'paidFen', amountFen: number): TransactItem => ({
  Update: {
    TableName: tableName(),
    Key: keys.ledgerSummary(leaderId),
    UpdateExpression: 'SET #type = :type, leaderId = :leader ADD #field :amount',
    ExpressionAttributeNames: { '#type': 'type', '#field': field },
    ExpressionAttributeValues: { ':type': 'LEDGER_SUMMARY', ':leader': leaderId, ':amount': amountFen },
  },
});

export function dynamoLedgerStore(client: Db = db()): LedgerStore & { entriesForOrder(orderId: string): Promise<LedgerEntry[]> } {
  const ledgerOfOrder = async (orderId: string) => {
    const items = await queryAll(client, { ...partitionOf(keys.ledgerOrderPartition(orderId)), ConsistentRead: true });
    const head = items.find((i) => i.sk === keys.ledgerHead(orderId).sk);
    return {
      entries: items.filter((i) => String(i.sk).startsWith(keys.ledgerEntryPrefix)).map((i) => LedgerEntrySchema.parse(i)),
      version: typeof head?.version === 'number' ? head.version : 0,
    };
  };
  const byLeader = (leaderId: string, from?: string) => ({
    TableName: tableName(),
    IndexName: INDEX.byGsi1,
    KeyConditionExpression: from ? 'gsi1pk = :pk AND gsi1sk >= :from' : 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.ledgerByLeaderPartition(leaderId), ...(from ? { ':from': from } : {}) },
  });

  return {
    ledgerOfOrder,
    /** Every entry of an order (tests and tools). */
    async entriesForOrder(orderId) {
      return (await ledgerOfOrder(orderId)).entries;
    },

    async book(orderId, version, entries, audits) {
      const head = atVersion(version);
      const actions: TransactItem[] = [
        {
          Update: {
            TableName: tableName(),
            Key: keys.ledgerHead(orderId),
            UpdateExpression: 'SET #type = :type, #version = :next',
            // ledgerAsRead: no other booking of this order committed since its entries were read.
            ConditionExpression: head.condition,
            ExpressionAttributeNames: { '#type': 'type', ...head.names },
            ExpressionAttributeValues: { ':type': 'LEDGER_HEAD', ':next': version + 1, ...head.values },
          },
        },
      ];
      const earned = new Map<string, number>();
      for (const entry of entries) {
        actions.push(putIfNew(entryItem(entry)));
        actions.push({ Put: { TableName: tableName(), Item: payableItem(entry) } });
        earned.set(entry.leaderId, (earned.get(entry.leaderId) ?? 0) + entry.amountFen);
      }
      for (const [leaderId, amount] of earned) actions.push(summaryAdd(leaderId, 'earnedFen', amount));
      for (const audit of audits) actions.push(auditPut(audit));
      try {
        await transactWrite(client, actions);
        return 'booked';
      } catch (err) {
        if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) return 'stale';
        throw err;
      }
    },

    async entriesOfLeader(leaderId, limit, cursor) {
      return queryPage(client, { ...byLeader(leaderId), ScanIndexForward: false }, (i) => LedgerEntrySchema.parse(i), limit, cursor);
    },

    async allEntriesOfLeader(leaderId) {
      return (await queryAll(client, byLeader(leaderId))).map((i) => LedgerEntrySchema.parse(i));
    },

    async entriesOfLeaderSince(leaderId, since) {
      return (await queryAll(client, byLeader(leaderId, since.toISOString()))).map((i) => LedgerEntrySchema.parse(i));
    },

    async summaryOf(leaderId) {
      const summary = await readItem(client, keys.ledgerSummary(leaderId));
      return { earnedFen: Number(summary?.earnedFen ?? 0), paidFen: Number(summary?.paidFen ?? 0) };
    },

    async payableOfLeader(leaderId, now) {
      const items = await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk < :upTo',
        ExpressionAttributeValues: { ':pk': keys.payablePartition(leaderId), ':upTo': `${now.toISOString()}~` },
        ConsistentRead: true,
      });
      return items.map(toPayable);
    },
  };
}

const payoutItem = (p: Payout) => ({
  ...keys.payout(p.payoutId),
  ...keys.payoutsByStatus(p.status, p.createdAt, p.payoutId),
  type: 'PAYOUT',
  ...p,
});

export function dynamoPayoutStore(client: Db = db()): PayoutStore {
  const get = (payoutId: string) => readItem(client, keys.payout(payoutId), (i) => PayoutSchema.parse(i));
  const claimsOf = async (payoutId: string) =>
    (
      await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.payoutPartition(payoutId), ':prefix': keys.payoutClaimPrefix },
        ConsistentRead: true,
      })
    ).map(toPayable);

  return {
    get,
    claimsOf,

    async openPayoutOf(leaderId) {
      const state = await readItem(client, keys.payoutState(leaderId));
      return typeof state?.openPayoutId === 'string' && state.openPayoutId ? get(state.openPayoutId) : undefined;
    },

    async open(payout, audit) {
      const failed = await guardedWrite(
        client,
        [
          {
            Update: {
              TableName: tableName(),
              Key: keys.payoutState(payout.leaderId),
              UpdateExpression: 'SET openPayoutId = :id',
              // oneOpenPayout: a leader has at most one payout being proposed, proposed or approved.
              ConditionExpression: 'attribute_not_exists(openPayoutId)',
              ExpressionAttributeValues: { ':id': payout.payoutId },
            },
          },
          putIfNew(payoutItem(payout)),
          auditPut(audit),
        ],
        ['another_open'],
      );
      if (!failed) return { payoutId: payout.payoutId, created: true };
      const state = await readItem(client, keys.payoutState(payout.leaderId));
      return { payoutId: String(state?.openPayoutId), created: false };
    },

    async claim(payout, entries) {
      if (entries.length === 0) return 'claimed';
      // The payout as read, then each entry's marker: another claim took it.
      const guards = ['stale' as const, ...entries.map(() => 'conflict' as const)];
      const failed = await guardedWrite(
        client,
        [
          {
            Update: {
              TableName: tableName(),
              Key: keys.payout(payout.payoutId),
              UpdateExpression: 'SET #version = :next ADD amountFen :sum, entryCount :count',
              ConditionExpression: '#status = :proposing AND #version = :version',
              ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
              ExpressionAttributeValues: {
                ':proposing': 'proposing',
                ':version': payout.version,
                ':next': payout.version + 1,
                ':sum': entries.reduce((s, e) => s + e.amountFen, 0),
                ':count': entries.length,
              },
            },
          },
          // Each entry leaves the payable pool exactly once: a second claimer finds its marker gone.
          ...entries.map((e) => ({
            Delete: {
              TableName: tableName(),
              Key: keys.payable(e.leaderId, e.availableAt, e.entryId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          })),
          ...entries.map((e) => ({
            Put: {
              TableName: tableName(),
              Item: { ...keys.payoutClaim(payout.payoutId, e.entryId), type: 'PAYOUT_CLAIM', ...payableOf(e) },
            },
          })),
        ],
        guards,
      );
      return failed ?? 'claimed';
    },

    async transition(payout, from, to, at, audit, extra = {}) {
      // Risk flags and figures, a release reason: plain attribute names, written as they are.
      const fields = Object.entries(extra.fields ?? {}).filter(([, value]) => value !== undefined);
      const byStatus = keys.payoutsByStatus(to, payout.createdAt, payout.payoutId);
      const actions: TransactItem[] = [
        {
          Update: {
            TableName: tableName(),
            Key: keys.payout(payout.payoutId),
            UpdateExpression: `SET #status = :to, #version = :next, updatedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk${extra.reason ? ', reason = :reason' : ''}${to === 'paid' ? ', paidAt = :at' : ''}${fields.map(([name]) => `, ${name} = :${name}`).join('')}`,
            // exactlyFrom: the status it leaves, at the version it was read at; nothing ever moves back.
            ConditionExpression: '#status = :from AND #version = :version',
            ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
            ExpressionAttributeValues: {
              ':to': to,
              ':from': from,
              ':version': payout.version,
              ':next': payout.version + 1,
              ':at': at,
              ':g1pk': byStatus.gsi1pk,
              ':g1sk': byStatus.gsi1sk,
              ...(extra.reason ? { ':reason': extra.reason } : {}),
              ...Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])),
            },
          },
        },
      ];
      if (to === 'paid' || to === 'rejected') {
        actions.push({
          Update: {
            TableName: tableName(),
            Key: keys.payoutState(payout.leaderId),
            UpdateExpression: 'REMOVE openPayoutId',
            ConditionExpression: 'openPayoutId = :id',
            ExpressionAttributeValues: { ':id': payout.payoutId },
          },
        });
      }
      if (extra.payoutEntry) {
        actions.push({
          Put: { TableName: tableName(), Item: entryItem(extra.payoutEntry), ConditionExpression: 'attribute_not_exists(pk)' },
        });
        actions.push(summaryAdd(payout.leaderId, 'paidFen', -extra.payoutEntry.amountFen));
      }
      actions.push(auditPut(audit));
      const failed = await guardedWrite(client, actions, ['stale']);
      return failed ?? 'moved';
    },

    async noteTransfer(payout, transfer, audit) {
      const actions: TransactItem[] = [
        {
          Update: {
            TableName: tableName(),
            Key: keys.payout(payout.payoutId),
            UpdateExpression: 'SET #transfer = :transfer, #version = :next, updatedAt = :at',
            // stillApprovedAsRead: a transfer is noted only on the approved payout at the version this decision read.
            ConditionExpression: '#status = :approved AND #version = :version',
            ExpressionAttributeNames: { '#status': 'status', '#transfer': 'transfer', '#version': 'version' },
            ExpressionAttributeValues: {
              ':transfer': transfer,
              ':at': transfer.updatedAt,
              ':approved': 'approved',
              ':version': payout.version,
              ':next': payout.version + 1,
            },
          },
        },
      ];
      if (transfer.billNo) {
        actions.push({
          Put: {
            TableName: tableName(),
            Item: { ...keys.transferBill(transfer.billNo), type: 'TRANSFER_BILL', billNo: transfer.billNo, payoutId: payout.payoutId },
          },
        });
      }
      actions.push(auditPut(audit));
      const failed = await guardedWrite(client, actions, ['stale']);
      return failed ?? 'noted';
    },
    async payoutOfBill(billNo) {
      const bill = await readItem(client, keys.transferBill(billNo));
      return typeof bill?.payoutId === 'string' ? bill.payoutId : undefined;
    },
    async release(payout) {
      // Idempotent: a marker put back twice is the same item.
      for (const claim of await claimsOf(payout.payoutId))
        await client.send(new PutCommand({ TableName: tableName(), Item: payableItem(claim) }));
    },

    async listByStatus(status, limit, cursor) {
      const byStatus = partitionOf(keys.payoutsByStatusPartition(status), INDEX.byGsi1);
      return queryPage(client, byStatus, (i) => PayoutSchema.parse(i), limit, cursor);
    },

    async acquireRunLease(runId, now, until) {
      return putIf(client, {
        Item: { ...keys.payoutRunLease, type: 'PAYOUT_RUN_LEASE', runId, until },
        // Free, or left by a run that died: its lease has run out.
        ConditionExpression: 'attribute_not_exists(pk) OR #until < :now',
        ExpressionAttributeNames: { '#until': 'until' },
        ExpressionAttributeValues: { ':now': now },
      });
    },

    async releaseRunLease(runId) {
      // Taken over by another run meanwhile (ours ran out): that lease is theirs.
      await unlessConditionFails(
        client.send(
          new DeleteCommand({
            TableName: tableName(),
            Key: keys.payoutRunLease,
            ConditionExpression: 'runId = :run',
            ExpressionAttributeValues: { ':run': runId },
          }),
        ),
      );
    },
  };
}
