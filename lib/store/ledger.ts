// DynamoDB adapters of the LedgerStore and PayoutStore ports.
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerStore, PayableEntry, PayoutStore } from '../commissions/ledger';
import { LedgerEntrySchema, PayoutSchema, type LedgerEntry, type Payout } from '../../schemas/commissions';
import { auditPut } from './audit';
import { cancellationReasons, db, queryAll, tableName, transactWrite, type Db, type TransactItem } from './dynamo';
import { INDEX, keys } from './keys';

const entryItem = (e: LedgerEntry) => ({
  ...(e.kind === 'payout' ? keys.payoutEntry(e.payoutId!) : keys.ledgerEntry(e.orderId!, e.entryId)),
  ...keys.ledgerByLeader(e.leaderId, e.createdAt, e.entryId),
  type: 'LEDGER_ENTRY',
  ...e,
});

const payableItem = (p: PayableEntry) => ({ ...keys.payable(p.availableAt, p.leaderId, p.entryId), type: 'PAYABLE', ...p });

const toPayable = (i: Record<string, unknown>): PayableEntry => ({
  entryId: String(i.entryId),
  leaderId: String(i.leaderId),
  ...(i.orderId ? { orderId: String(i.orderId) } : {}),
  amountFen: Number(i.amountFen),
  availableAt: String(i.availableAt),
});

export function dynamoLedgerStore(client: Db = db()): LedgerStore {
  const payableQuery = (now: Date) => ({
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk < :upTo',
    ExpressionAttributeValues: { ':pk': keys.payablePartition, ':upTo': `${now.toISOString()}~` },
  });
  return {
    async entriesForOrder(orderId) {
      const items = await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.ledgerOrderPartition(orderId) },
        ConsistentRead: true,
      });
      return items.map((i) => LedgerEntrySchema.parse(i));
    },
    async append(entry, audit) {
      const actions: TransactItem[] = [
        { Put: { TableName: tableName(), Item: entryItem(entry), ConditionExpression: 'attribute_not_exists(pk)' } },
      ];
      if (entry.kind !== 'payout') {
        actions.push({
          Put: {
            TableName: tableName(),
            Item: payableItem({
              entryId: entry.entryId,
              leaderId: entry.leaderId,
              orderId: entry.orderId,
              amountFen: entry.amountFen,
              availableAt: entry.availableAt,
            }),
          },
        });
      }
      actions.push(auditPut(audit));
      try {
        await transactWrite(client, actions);
        return 'appended';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'exists';
        throw err;
      }
    },
    async entriesOfLeader(leaderId) {
      const items = await queryAll(client, {
        TableName: tableName(),
        IndexName: INDEX.byGsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.ledgerByLeaderPartition(leaderId) },
      });
      return items.map((i) => LedgerEntrySchema.parse(i));
    },
    async payableUpTo(now) {
      return (await queryAll(client, { ...payableQuery(now), ConsistentRead: true })).map(toPayable);
    },
    async payableOfLeader(leaderId, now) {
      const items = await queryAll(client, {
        ...payableQuery(now),
        FilterExpression: 'leaderId = :leader',
        ExpressionAttributeValues: { ...payableQuery(now).ExpressionAttributeValues, ':leader': leaderId },
        ConsistentRead: true,
      });
      return items.map(toPayable);
    },
  };
}

type StoredPayout = Payout & { claims?: Record<string, PayableEntry> };

const payoutFrom = (item: Record<string, unknown>): StoredPayout => {
  const claims = (item.claims ?? {}) as Record<string, PayableEntry>;
  return { ...PayoutSchema.parse({ ...item, entryIds: Object.keys(claims).sort() }), claims };
};

export function dynamoPayoutStore(client: Db = db()): PayoutStore {
  const get = async (payoutId: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.payout(payoutId), ConsistentRead: true }));
    return Item ? payoutFrom(Item) : undefined;
  };
  return {
    get,
    async openPayoutOf(leaderId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.payoutState(leaderId), ConsistentRead: true }));
      return Item?.openPayoutId ? get(String(Item.openPayoutId)) : undefined;
    },
    async open(payout, audit) {
      const { entryIds: _ids, ...rest } = payout;
      try {
        await transactWrite(client, [
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
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.payout(payout.payoutId),
                ...keys.payoutsByStatus(payout.status, payout.createdAt, payout.payoutId),
                type: 'PAYOUT',
                ...rest,
                claims: {},
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          auditPut(audit),
        ]);
        return { payoutId: payout.payoutId, created: true };
      } catch (err) {
        if (cancellationReasons(err)?.[0] !== 'ConditionalCheckFailed') throw err;
        const { Item } = await client.send(
          new GetCommand({ TableName: tableName(), Key: keys.payoutState(payout.leaderId), ConsistentRead: true }),
        );
        return { payoutId: String(Item?.openPayoutId), created: false };
      }
    },
    async claim(payoutId, entries) {
      if (entries.length === 0) return 'claimed';
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':proposing': 'proposing', ':sum': entries.reduce((s, e) => s + e.amountFen, 0) };
      const sets = entries.map((e, i) => {
        names[`#e${i}`] = e.entryId;
        values[`:e${i}`] = e;
        return `claims.#e${i} = :e${i}`;
      });
      try {
        await transactWrite(client, [
          {
            Update: {
              TableName: tableName(),
              Key: keys.payout(payoutId),
              UpdateExpression: `SET ${sets.join(', ')} ADD amountFen :sum`,
              ConditionExpression: '#status = :proposing',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            },
          },
          // Each entry leaves the payable pool exactly once: a second claimer finds its marker gone.
          ...entries.map((e) => ({
            Delete: {
              TableName: tableName(),
              Key: keys.payable(e.availableAt, e.leaderId, e.entryId),
              ConditionExpression: 'attribute_exists(pk)',
            },
          })),
        ]);
        return 'claimed';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (!reasons) throw err;
        if (reasons[0] === 'ConditionalCheckFailed') return 'not_proposing';
        if (reasons.some((r) => r === 'ConditionalCheckFailed')) return 'conflict';
        throw err;
      }
    },
    async propose(payout, at, audit) {
      return (await this.transition(payout, 'proposed', at, audit)) === 'moved' ? 'proposed' : 'stale';
    },
    async transition(payout, to, at, audit, extra = {}) {
      const byStatus = keys.payoutsByStatus(to, payout.createdAt, payout.payoutId);
      const actions: TransactItem[] = [
        {
          Update: {
            TableName: tableName(),
            Key: keys.payout(payout.payoutId),
            UpdateExpression: `SET #status = :to, updatedAt = :at, gsi1pk = :g1pk, gsi1sk = :g1sk${extra.reason ? ', reason = :reason' : ''}${to === 'paid' ? ', paidAt = :at' : ''}`,
            ConditionExpression: '#status = :from AND updatedAt = :before',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': to,
              ':from': payout.status,
              ':before': payout.updatedAt,
              ':at': at,
              ':g1pk': byStatus.gsi1pk,
              ':g1sk': byStatus.gsi1sk,
              ...(extra.reason ? { ':reason': extra.reason } : {}),
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
      if (extra.payoutEntry)
        actions.push({
          Put: { TableName: tableName(), Item: entryItem(extra.payoutEntry), ConditionExpression: 'attribute_not_exists(pk)' },
        });
      actions.push(auditPut(audit));
      try {
        await transactWrite(client, actions);
        return 'moved';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'stale';
        throw err;
      }
    },
    async release(payout) {
      const claims = Object.values((payout as StoredPayout).claims ?? {});
      for (const entry of claims) await client.send(new PutCommand({ TableName: tableName(), Item: payableItem(entry) }));
    },
    async listByStatus(status) {
      const items = await queryAll(client, {
        TableName: tableName(),
        IndexName: INDEX.byGsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.payoutsByStatusPartition(status) },
      });
      return items.map(payoutFrom);
    },
    async claimedEntries(payout) {
      return Object.values((payout as StoredPayout).claims ?? {});
    },
  };
}
