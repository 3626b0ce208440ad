// DynamoDB adapter of the CutoffStore port.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CutoffStore } from '../cutoff/cutoff';
import type { CloseTallyKind } from '../orders/ports';
import type { GroupBuy } from '../../schemas/group-buys';
import { GroupBuySchema } from '../../schemas/group-buys';
import { OrderSchema } from '../../schemas/orders';
import { auditPut, auditRecord } from './audit';
import type { Db, TransactItem } from './dynamo';
import { atVersion, db, guardedWrite, partitionOf, queryKeysPage, queryPage, readItem, tableName, unlessConditionFails } from './dynamo';
import { gateClose } from './gate';
import { INDEX, keys } from './keys';
import { groupBuyOrders } from './leader-orders';
import { orderPutIfUnchanged } from './orders';

/**
 * A conditional update of a group buy's state fields (never a whole-item replace, so the progress
 * counters that pages add meanwhile survive), with its audit record.
 */
function stateUpdate(before: GroupBuy, set: Record<string, unknown>, remove: string[] = []): TransactItem {
  const unchanged = atVersion(before.version);
  const names: Record<string, string> = { '#status': 'status', ...unchanged.names };
  const values: Record<string, unknown> = { ':before': before.status, ':next': before.version + 1, ...unchanged.values };
  // A dotted key sets one field of a map (`closeStats.ordersReady`), leaving its other fields alone.
  const sets = Object.entries(set).map(([k, v], i) => {
    const path = k
      .split('.')
      .map((part, j) => ((names[`#s${i}_${j}`] = part), `#s${i}_${j}`))
      .join('.');
    values[`:s${i}`] = v;
    return `${path} = :s${i}`;
  });
  const removes = remove.map((k, i) => ((names[`#r${i}`] = k), `#r${i}`));
  return {
    Update: {
      TableName: tableName(),
      Key: keys.groupBuy(before.groupBuyId),
      UpdateExpression: `SET ${[...sets, '#version = :next'].join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: `#status = :before AND ${unchanged.condition}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** A group buy's orders: its gsi3k partition (by order id; keys only, the orders then read by key). */
const ordersOf = (groupBuyId: string) => partitionOf(keys.ordersByGroupBuyPartition(groupBuyId), INDEX.byGsi3);

export function dynamoCutoffStore(client: Db = db()): CutoffStore {
  const get = (groupBuyId: string) => readItem(client, keys.groupBuy(groupBuyId), (i) => GroupBuySchema.parse(i));
  /** True when written; false when the action's condition failed. */
  const update = async (action: TransactItem, audit: Parameters<CutoffStore['finish']>[3], also: TransactItem[] = []) =>
    (await guardedWrite(client, [action, ...also, auditPut(audit)], ['stale'])) === undefined;
  const queryIndex = async (partition: string, upTo: string | undefined, limit: number, cursor?: string) => {
    return queryPage(
      client,
      {
        TableName: tableName(),
        IndexName: INDEX.byGsi2,
        KeyConditionExpression: upTo ? 'gsi2pk = :pk AND gsi2sk < :upTo' : 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': partition, ...(upTo ? { ':upTo': upTo } : {}) },
      },
      (i) => GroupBuySchema.parse(i),
      limit,
      cursor,
    );
  };

  return {
    get,
    // `cutoffAt#id` sorts by time; every key with a cutoff at or before `upTo` sorts below `upTo~`.
    due: (upTo, limit, cursor) => queryIndex(keys.openGroupBuysPartition, `${upTo.toISOString()}~`, limit, cursor),
    closing: (limit, cursor) => queryIndex(keys.closingGroupBuysPartition, undefined, limit, cursor),

    async beginClosing(gb, phase, at, audit) {
      const closing = keys.closingGroupBuys(gb.cutoffAt, gb.groupBuyId);
      const action = stateUpdate(gb, {
        status: 'closing',
        closePhase: phase,
        updatedAt: at,
        closeStats: { ordersCancelled: 0, ordersReady: 0, ordersRefunded: 0, pages: 0 },
        gsi2pk: closing.gsi2pk,
        gsi2sk: closing.gsi2sk,
      });
      // The gate closes in the same transaction: no order is placed once the closing has begun.
      return (await update(action, audit, [gateClose(gb, 'closing')])) ? 'begun' : 'stale';
    },

    // A page of `limit` orders of the partition, those in `status` kept: the pass reads each order once.
    async ordersIn(groupBuyId, status, limit, after) {
      const page = await queryKeysPage(client, ordersOf(groupBuyId), (i) => OrderSchema.parse(i), limit, after);
      return { ...page, items: page.items.filter((o) => o.status === status) };
    },

    async paidQuantity(groupBuyId) {
      const paid = (await groupBuyOrders(client, groupBuyId)).filter((o) => o.status === 'paid');
      return paid.reduce((total, o) => total + o.items.reduce((s, l) => s + l.quantity, 0), 0);
    },

    async decide(gb, outcome, paidQuantity, at, audit) {
      if (gb.closePhase !== 'cancel-unpaid') return 'stale';
      return (await update(stateUpdate(gb, { closePhase: 'settle-paid', outcome, paidQuantity, updatedAt: at }), audit))
        ? 'decided'
        : 'stale';
    },

    async recordProgress(groupBuyId, delta, at, cursor) {
      // Counts, a timestamp and where the pass stands (never the state, nor its version: a state change decided
      // on the read before this stays valid), so a progress record can't undo a decision; the timestamp makes it
      // a change, and so a stream record, even when a page did nothing. The pass's place only while the group buy
      // is in that phase: once it moved on, the counts alone.
      const record = (withCursor: boolean) =>
        client.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.groupBuy(groupBuyId),
            UpdateExpression: `SET progressAt = :at${withCursor ? ', closeCursor = :cursor' : ''} ADD closeStats.ordersCancelled :c, closeStats.ordersReady :r, closeStats.ordersRefunded :f, closeStats.pages :p`,
            ConditionExpression: `#status = :closing${withCursor ? ' AND closePhase = :phase' : ''}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':at': at,
              ':closing': 'closing',
              ':c': delta.ordersCancelled,
              ':r': delta.ordersReady,
              ':f': delta.ordersRefunded,
              ':p': delta.pages,
              ...(withCursor ? { ':cursor': cursor, ':phase': cursor!.phase } : {}),
            },
          }),
        );
      const settled = cursor?.after ? await unlessConditionFails(record(true)) : undefined;
      if (!settled) await unlessConditionFails(record(false));
    },

    async finish(gb, status, at, audit) {
      // The counts come from items written with each order's change (a tally, or for an order made ready its
      // pickup code's guard), so they are exact even when a page was killed half way and done again
      // (in-memory progress counts are not). Strongly consistent queries, paged.
      const count = async (query: Omit<QueryCommandInput, 'TableName' | 'Select' | 'ConsistentRead' | 'ExclusiveStartKey'>) => {
        let n = 0;
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({ ...query, TableName: tableName(), Select: 'COUNT', ConsistentRead: true, ExclusiveStartKey: startKey }),
          );
          n += page.Count ?? 0;
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return n;
      };
      const tallies = (kind: CloseTallyKind) =>
        count({
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.groupBuyPartition(gb.groupBuyId), ':prefix': keys.closeTallyPrefix(kind) },
        });
      // The guards of the point and date, this group buy's (a leader's other group buys of that date share the
      // partition: it holds what one point hands out in a day). Orders made ready before the guard named its
      // group buy have a `ready` tally instead (a closing under way when this was deployed): counted too.
      const guards = count({
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'groupBuyId = :gb',
        ExpressionAttributeValues: { ':pk': keys.pickupCodePartition(gb.leaderId, gb.pickupDate), ':gb': gb.groupBuyId },
      });
      const counts = {
        'closeStats.ordersCancelled': await tallies('cancelled'),
        'closeStats.ordersReady': (await guards) + (await tallies('ready')),
        'closeStats.ordersRefunded': await tallies('refunded'),
      };
      const action = stateUpdate(gb, { status, closedAt: at, updatedAt: at, ...counts }, ['closePhase', 'closeCursor', 'gsi2pk', 'gsi2sk']);
      return (await update(action, audit)) ? 'finished' : 'stale';
    },

    async assignPickupCode(before, after, audit) {
      const failed = await guardedWrite(
        client,
        [
          orderPutIfUnchanged(before, after),
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.pickupCode(after.leaderId, after.pickupDate, after.pickupCode!),
                type: 'PICKUP_CODE',
                orderId: after.orderId,
                groupBuyId: after.groupBuyId,
                leaderId: after.leaderId,
                pickupDate: after.pickupDate,
                code: after.pickupCode,
                // The change's audit record, kept by the guard (written once, never changed: lib/store/audit.ts).
                audit: auditRecord(audit),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        ['stale', 'code_taken'],
      );
      return failed ?? 'assigned';
    },

    async nudge(groupBuyId, at) {
      await client
        .send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.groupBuy(groupBuyId),
            UpdateExpression: 'SET nudgedAt = :at',
            ConditionExpression: '#status = :closing',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':at': at, ':closing': 'closing' },
          }),
        )
        .catch((err: Error) => {
          if (err.name !== 'ConditionalCheckFailedException') throw err;
        });
    },
  };
}
