// DynamoDB adapter of the OrderStore port. Placing an order is one TransactWriteItems; every later
// change of an order is one more, conditional on the order being as it was read (optimistic lock).
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CloseTally, OrderChange, OrderStore, PaymentRecord, PlaceOutcome, Reservation } from '../orders/ports';
import type { AuditEvent } from '../../schemas/common';
import type { Order, Refund } from '../../schemas/orders';
import { OrderSchema, PaymentRecordSchema, RefundSchema, storedLine } from '../../schemas/orders';
import { auditPut, auditRecord } from './audit';
import type { Db, TransactItem } from './dynamo';
import {
  cancellationReasons,
  db,
  guardedWrite,
  itemFound,
  partitionOf,
  putAtVersion,
  putIfNew,
  queryKeysPage,
  readItem,
  tableName,
  transactWrite,
} from './dynamo';
import { businessDate } from '../runtime/time';
import { DERIVED_ORDER_ID, placementRecord } from '../orders/pricing';
import { sameValue } from '../runtime/audit-diff';
import { leaderSalesDelta, soldDeltas } from '../orders/sales';
import type { GateChange } from './gate';
import { changeRefusal, gateChange, gateTake, placesMoved, refusal } from './gate';
import { INDEX, keys } from './keys';
import { assumedPlaces, givePlaceBack, learnPlaces, takePlace } from './places';

export const orderItem = (o: Order) => ({
  ...keys.order(o.orderId),
  ...keys.ordersByUser(o.userId, o.createdAt, o.orderId),
  ...keys.ordersByGroupBuy(o.groupBuyId, o.orderId),
  // Only unpaid orders sit in the expiry index (sparse).
  ...(o.status === 'pending_payment' ? keys.pendingOrders(o.orderId, o.expiresAt) : {}),
  // …and only orders waiting to be collected in the uncollected job's index (an order is never both).
  ...(o.status === 'ready_for_pickup' ? keys.readyOrders(o.orderId, o.pickupDate) : {}),
  type: 'ORDER',
  ...o,
  // Short names (schemas/orders.ts): a two-line order stays under 1 KB, and so does each of its index copies.
  items: o.items.map(storedLine),
});

export const refundItem = (r: Refund) => ({ ...keys.refund(r.orderId, r.refundId), type: 'REFUND', ...r });
/** One application of a provider payment (written once: its key is the guard against applying it twice). */
const paymentItem = (p: PaymentRecord) => ({ ...keys.payment(p.paymentId), type: 'PAYMENT', ...p });

const table = () => tableName();

/**
 * Per-resident allowance and pickup place an order gives back (negative of what placing took; its stock goes
 * back to the group buy's gate, with the change's other gate conditions: gateChange).
 * `withPlace`: the place goes back to the date's counter. Not when the gate counts the point's places (the
 * gate takes it back: gateChange), nor in the closing, which settles hundreds of orders of one point and date
 * at once (one place counter in each of their transactions would make them conflict; those orders keep their
 * place: decisions.md).
 */
export function releaseActions(order: Order, withPlace = true): TransactItem[] {
  const actions: TransactItem[] = [];
  if (order.holdsPlace && withPlace) actions.push(givePlaceBack(order.leaderId, order.pickupDate));
  const counted = order.items.filter((l) => l.residentLimited);
  if (counted.length && countsPerResident(order)) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds = counted.map((line, i) => {
      names[`#n${i}`] = residentCount(line.productId);
      values[`:m${i}`] = -line.quantity;
      return `#n${i} :m${i}`;
    });
    actions.push({
      Update: {
        TableName: table(),
        Key: keys.residentCounts(order.groupBuyId, order.userId),
        UpdateExpression: `ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  } else {
    for (const line of counted) {
      actions.push({
        Update: {
          TableName: table(),
          Key: keys.residentCounter(order.groupBuyId, order.userId, line.productId),
          UpdateExpression: 'ADD bought :minus',
          ExpressionAttributeValues: { ':minus': -line.quantity },
        },
      });
    }
  }
  return actions;
}

/**
 * Orders placed with a derived id (`o-…`, since 2026-12-01) hold a resident's allowance on one item per group
 * buy and resident, an attribute per product; orders placed before, on one item per product (given back there).
 */
const countsPerResident = (order: Order) => order.orderId.startsWith(DERIVED_ORDER_ID);
/** The attribute of a product on a resident's counter item. */
const residentCount = (productId: string) => `n:${productId}`;

/**
 * What the resident holds of each limited product, plus this order, within each product's limit: one
 * update of the resident's one counter item, whatever the number of lines (withinResidentLimit).
 */
function residentTake(order: Order, limited: Reservation[]): TransactItem {
  const names: Record<string, string> = { '#type': 'type' };
  const values: Record<string, unknown> = { ':type': 'RESIDENT_COUNTER' };
  const adds: string[] = [];
  const fits: string[] = [];
  limited.forEach((r, i) => {
    names[`#n${i}`] = residentCount(r.productId);
    values[`:q${i}`] = r.quantity;
    values[`:max${i}`] = r.perResidentLimit! - r.quantity;
    adds.push(`#n${i} :q${i}`);
    fits.push(`(attribute_not_exists(#n${i}) OR #n${i} <= :max${i})`);
  });
  return {
    Update: {
      TableName: table(),
      Key: keys.residentCounts(order.groupBuyId, order.userId),
      UpdateExpression: `SET #type = :type ADD ${adds.join(', ')}`,
      ConditionExpression: fits.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      // Refused, it comes back as it was: the products over their limit are named from it.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** The products of `limited` that this order would take past the resident's limit, by the counter item as it was. */
function overLimit(limited: Reservation[], counter: Record<string, unknown> | undefined): string[] {
  if (!counter) return limited.map((r) => r.productId);
  return limited.filter((r) => Number(counter[residentCount(r.productId)] ?? 0) + r.quantity > r.perResidentLimit!).map((r) => r.productId);
}

/**
 * The figures kept beside an order, moved in the order's own transaction (so exactly once per change): the
 * group buy's real sold counts, the price each product was paid at (the 划线价's evidence) and the leader's
 * paid sales and refunds per paid date (the payouts' refund-rate check).
 */
export function salesActions(before: Order, after: Order): TransactItem[] {
  const actions: TransactItem[] = [];
  const sold = soldDeltas(before, after);
  if (sold.length) {
    const names: Record<string, string> = { '#type': 'type' };
    const values: Record<string, unknown> = { ':type': 'GROUP_BUY_SOLD' };
    const adds = sold.map((d, i) => {
      names[`#q${i}`] = `q:${d.productId}`;
      names[`#b${i}`] = `b:${d.productId}`;
      values[`:q${i}`] = d.quantity;
      values[`:b${i}`] = d.orders;
      return `#q${i} :q${i}, #b${i} :b${i}`;
    });
    actions.push({
      Update: {
        TableName: table(),
        Key: keys.groupBuySold(after.groupBuyId),
        UpdateExpression: `SET #type = :type ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
  }
  if (before.status === 'pending_payment' && after.status === 'paid' && after.paidAt) {
    const date = businessDate(new Date(after.paidAt));
    const prices = new Map(after.items.map((l) => [`${l.productId}#${l.unitPriceFen}`, l]));
    for (const line of prices.values()) {
      actions.push({
        Update: {
          TableName: table(),
          Key: keys.productPriceDay(line.productId, date, line.unitPriceFen),
          UpdateExpression:
            'SET #type = :type, productId = :p, unitPriceFen = :u, firstPaidAt = if_not_exists(firstPaidAt, :at), lastPaidAt = :at',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'PRODUCT_PRICE', ':p': line.productId, ':u': line.unitPriceFen, ':at': after.paidAt },
        },
      });
    }
  }
  const sales = leaderSalesDelta(before, after);
  if (sales) {
    actions.push({
      Update: {
        TableName: table(),
        Key: keys.leaderSalesDay(after.leaderId, sales.date),
        UpdateExpression: 'SET #type = :type, #date = :date ADD paidFen :paid, refundedFen :refunded',
        ExpressionAttributeNames: { '#type': 'type', '#date': 'date' },
        ExpressionAttributeValues: { ':type': 'LEADER_SALES', ':date': sales.date, ':paid': sales.paidFen, ':refunded': sales.refundedFen },
      },
    });
  }
  return actions;
}

/**
 * The closing's record that it settled this order (once: the order's own condition guards it), keeping the
 * change's audit record (written once, never changed: lib/store/audit.ts gives it back in the order's trail).
 */
export function tallyPut(tally: CloseTally, orderId: string, audit: AuditEvent): TransactItem {
  return {
    Put: {
      TableName: table(),
      Item: { ...keys.closeTally(tally.groupBuyId, tally.kind, orderId), type: 'CLOSE_TALLY', orderId, audit: auditRecord(audit) },
    },
  };
}

/** The order replaced by `after` (at the next version), only if it is still at the version `before` was read at. */
export function orderPutIfUnchanged(before: Order, after: Order): TransactItem {
  return putAtVersion(orderItem({ ...after, version: before.version + 1 }), before.version);
}

/** The new order item says all the audit record of its placement says (placementRecord): no record of its own. */
const isOwnRecord = (order: Order, audit: AuditEvent) =>
  order.status === 'pending_payment' && order.version === 1 && sameValue(audit, placementRecord(order));

export function dynamoOrderStore(client: Db = db()): OrderStore {
  // Strongly consistent: every change of an order is decided on this read.
  const get = (orderId: string) => readItem(client, keys.order(orderId), (i) => OrderSchema.parse(i));

  /** The refund replaced by `after` (with its audit record) if it is still in one of the `from` statuses: a refund only moves forward. */
  async function refundPutIf(after: Refund, from: readonly Refund['status'][], audit: AuditEvent): Promise<boolean> {
    const values = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
    const put: TransactItem = {
      Put: {
        TableName: table(),
        Item: refundItem(after),
        ConditionExpression: `#status IN (${Object.keys(values).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    };
    return (await guardedWrite(client, [put, auditPut(audit)], ['moved on'])) === undefined;
  }

  /** The first `limit` orders of each shard of a sparse gsi2 work list whose sort keys sort below `bound`. */
  async function sparseBelow(partitions: string[], bound: string, limit: number): Promise<Order[]> {
    const due: Order[] = [];
    for (const partition of partitions) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: table(),
          IndexName: INDEX.byGsi2,
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :bound',
          ExpressionAttributeValues: { ':pk': partition, ':bound': bound },
          Limit: limit,
        }),
      );
      due.push(...(Items ?? []).map((i) => OrderSchema.parse(i)));
    }
    return due;
  }

  return {
    get,

    async place({ order, reservations, audit, now, groupBuyVersion, place }): Promise<PlaceOutcome> {
      const stock = reservations.filter((r) => r.stockLimited);
      const limited = reservations.filter((r) => r.perResidentLimit !== undefined);
      // Where the group buy keeps places, as last seen here (places.ts); the gate's condition proves it, and a
      // gate that says otherwise is asked again from what it says.
      for (let attempt = 1; ; attempt++) {
        const placeOn = place ? assumedPlaces(order.groupBuyId) : undefined;
        const actions: TransactItem[] = [
          // Its id is derived from the resident and the Idempotency-Key: this condition is the idempotency guard.
          putIfNew(orderItem(order)),
          // The group buy takes orders, at the version priced from, and has the stock: one item (lib/store/gate.ts).
          // At a point without a capacity it also counts the order's place.
          gateTake(order.groupBuyId, now, groupBuyVersion, stock, placeOn),
        ];
        const placeIndex = placeOn === 'counter' ? actions.push(takePlace(order.leaderId, order.pickupDate)) - 1 : -1;
        const counterIndex = limited.length ? actions.push(residentTake(order, limited)) - 1 : -1;
        // The order item is its placement's audit record when the record says nothing the new item doesn't
        // (auditTrail gives it back from the item): a third item of the transaction saved, 2 WCU of every order.
        if (!isOwnRecord(order, audit)) actions.push(auditPut(audit));
        try {
          await transactWrite(client, actions);
          return { kind: 'placed' };
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (!reasons) throw err;
          const failed = (i: number) => i >= 0 && reasons[i] === 'ConditionalCheckFailed';
          if (failed(0)) return { kind: 'duplicate_key' };
          const moved = failed(1) ? placesMoved(itemFound(err, 1), placeOn) : undefined;
          if (moved && attempt < 3) {
            learnPlaces(order.groupBuyId, moved);
            continue;
          }
          if (failed(1)) return refusal(itemFound(err, 1), now, groupBuyVersion, stock);
          if (failed(placeIndex)) return { kind: 'pickup_full' };
          if (failed(counterIndex)) return { kind: 'over_limit', productIds: overLimit(limited, itemFound(err, counterIndex)) };
          throw err;
        }
      }
    },

    async listByUser(userId, limit, cursor) {
      const newestFirst = { ...partitionOf(keys.ordersByUserPartition(userId), INDEX.byGsi4), ScanIndexForward: false };
      return queryKeysPage(client, newestFirst, (i) => OrderSchema.parse(i), limit, cursor);
    },

    async change(change: OrderChange) {
      // The closing's bulk settlement (a tally) leaves the per-point and per-group-buy counters alone: every
      // order of the group buy would update the same items at once (decisions.md, issue 12).
      const bulk = change.tally !== undefined;
      // Released: the order gives its place back once (the next write of it finds no place to give).
      const after =
        change.release && !bulk && change.after.holdsPlace ? (({ holdsPlace: _held, ...rest }) => rest)(change.after) : change.after;
      const givesPlace = change.release && !bulk && change.before.holdsPlace === true;
      for (let attempt = 1; ; attempt++) {
        // Where the place goes back: the gate's count or the date's counter, as the gate says (places.ts).
        const placeBack = givesPlace ? assumedPlaces(change.before.groupBuyId) : undefined;
        const actions: TransactItem[] = [orderPutIfUnchanged(change.before, after)];
        const gate: GateChange = {
          openAt: change.groupOpenAt,
          notSuspended: change.leaderNotSuspended,
          giveBack: change.release ? change.before : undefined,
          placeBack,
        };
        const gateAction = gateChange(change.before.groupBuyId, gate);
        const gateIndex = gateAction ? actions.push(gateAction) - 1 : -1;
        // The payment applied to this order keeps the change's audit record (written once, never changed: lib/store/audit.ts).
        const recordOnPayment = change.payment?.outcome === 'applied' && change.payment.orderId === change.before.orderId && !change.tally;
        const paymentIndex = change.payment
          ? actions.push(putIfNew({ ...paymentItem(change.payment), ...(recordOnPayment ? { audit: auditRecord(change.audit) } : {}) })) - 1
          : -1;
        if (change.release) actions.push(...releaseActions(change.before, placeBack === 'counter'));
        if (!bulk) actions.push(...salesActions(change.before, after));
        for (const refund of change.refunds ?? []) actions.push(putIfNew(refundItem(refund)));
        // A closing's change keeps its audit record on its tally (tallyPut), a payment's on the payment; every other, a record of its own.
        if (change.tally) actions.push(tallyPut(change.tally, change.before.orderId, change.audit));
        else if (!recordOnPayment) actions.push(auditPut(change.audit));
        try {
          await transactWrite(client, actions);
          return 'changed';
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (!reasons) throw err;
          if (paymentIndex >= 0 && reasons[paymentIndex] === 'ConditionalCheckFailed') return 'payment_seen';
          if (reasons[0] === 'ConditionalCheckFailed') return 'stale';
          if (gateIndex >= 0 && reasons[gateIndex] === 'ConditionalCheckFailed') {
            const moved = placesMoved(itemFound(err, gateIndex), placeBack);
            if (moved && attempt < 3) {
              learnPlaces(change.before.groupBuyId, moved);
              continue;
            }
            return changeRefusal(gate);
          }
          throw err;
        }
      }
    },

    async recordUnappliedPayment(payment, refund, audit) {
      const actions = [putIfNew(paymentItem(payment)), putIfNew(refundItem(refund)), auditPut(audit)];
      return (await guardedWrite(client, actions, ['payment_seen'])) ?? 'recorded';
    },

    async listRefunds(orderId) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':prefix': keys.refundPrefix },
        }),
      );
      return (Items ?? []).map((i) => RefundSchema.parse(i));
    },

    async completeRefund(refund, completedAt, audit) {
      const after: Refund = { ...refund, status: 'succeeded', completedAt };
      // stillOpen: requested, or submitted and awaiting the provider's verdict.
      const written = await refundPutIf(after, ['requested', 'submitted'], { ...audit, before: refund, after });
      return written ? 'completed' : 'already';
    },

    async transitionRefund(before, after, audit) {
      return (await refundPutIf(after, [before.status], audit)) ? 'changed' : 'already';
    },

    async getPayment(paymentId) {
      return readItem(client, keys.payment(paymentId), (i) => PaymentRecordSchema.parse(i));
    },

    dueForExpiry: (now, limit) => sparseBelow(keys.pendingOrdersPartitions(), now.toISOString(), limit),

    // `<date>#<orderId>` sorts below `<date>~` for every order of that date.
    readyUpTo: (lastPickupDate, limit) => sparseBelow(keys.readyOrdersPartitions(), `${lastPickupDate}~`, limit),
  };
}
