// A group buy's gate: the one small item an order's transaction writes to prove the group buy takes orders
// and to take its stock. It carries what placement checks (status, cutoff, version, the suspension mark) and
// each stock-limited product's remaining units (`s:<productId>`), so a two-line order updates one item of a
// few hundred bytes instead of condition-checking the group buy (which grows with its products: ~3.6 KB with
// 20) and updating one stock item per line. Written with the group buy; moved on, in the same transaction,
// by each change placement must see: the closing's first step and the leader's suspension marks.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../../schemas/orders';
import type { GroupBuy, Stock } from '../../schemas/group-buys';
import { GroupBuySchema, StockSchema } from '../../schemas/group-buys';
import type { Reservation } from '../orders/ports';
import type { Db, TransactItem } from './dynamo';
import { queryAll, tableName, unlessConditionFails } from './dynamo';
import { INDEX, keys } from './keys';

/** The attribute of a product's remaining units on the gate. */
const stockOf = (productId: string) => `s:${productId}`;

/**
 * Where an order of the group buy holds its pickup place (lib/store/places.ts). `capped` on the gate: the
 * leader's point has a capacity, so places are counted on the pickup date's counter, which checks it. Without
 * it an order takes no counter: the gate counts it (`places`), and a capacity set later moves the gates' counts
 * onto the counters (capacityActions).
 */
export type PlaceOn = 'counter' | 'gate';

/** Where the gate, as read, says places are kept. */
export const placesOn = (gate: Record<string, unknown>): PlaceOn => (gate.capped === true ? 'counter' : 'gate');

/** The condition that places are kept where `on` says, and on the gate, the change of its count. */
function placeTerms(on: PlaceOn, delta: number, names: Record<string, string>, values: Record<string, unknown>) {
  if (on === 'counter') {
    values[':capped'] = true;
    return { condition: 'capped = :capped', add: undefined };
  }
  names['#places'] = 'places';
  values[':places'] = delta;
  return { condition: 'attribute_not_exists(capped)', add: '#places :places' };
}

/** The gate of a new group buy: open, at its version, every stock-limited product at its limit. */
export function gateItem(gb: GroupBuy, capped = false): Record<string, unknown> {
  const stock = gb.items.flatMap((i): [string, number][] => (i.stockLimit === undefined ? [] : [[stockOf(i.productId), i.stockLimit]]));
  return {
    ...keys.groupBuyGate(gb.groupBuyId),
    type: 'GATE',
    groupBuyId: gb.groupBuyId,
    status: gb.status,
    cutoffAt: gb.cutoffAt,
    version: gb.version,
    ...(capped ? { capped: true } : {}),
    ...Object.fromEntries(stock),
  };
}

/** What the gate says of each stock-limited product of `gb` (`undefined`: a group buy from before gates). */
export function stockOnGate(gate: Record<string, unknown> | undefined, gb: GroupBuy): Map<string, Stock> | undefined {
  // A gate is complete once it has its cutoff (a group buy's creation or the migration writes it); before
  // that it may hold stock given back or a mark, and the group buy's stock is still on its STOCK# items.
  if (gate?.cutoffAt === undefined) return undefined;
  const stock = new Map<string, Stock>();
  for (const { productId, stockLimit } of gb.items) {
    const remaining = gate[stockOf(productId)];
    if (stockLimit !== undefined && typeof remaining === 'number') stock.set(productId, { productId, stockLimit, remaining });
  }
  return stock;
}

/**
 * The group buy takes orders at `now` (open, before its cutoff, its leader not suspended; with `version`, at
 * the version an order was priced from) and each of `take` has its quantity left, which it takes: a
 * ConditionCheck when nothing is taken. Refused, the gate comes back as it was (`refusal` reads it).
 */
export function gateTake(
  groupBuyId: string,
  now: Date,
  version?: number,
  take: Pick<Reservation, 'productId' | 'quantity'>[] = [],
  place?: PlaceOn,
): TransactItem {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':open': 'open', ':now': now.toISOString() };
  const conditions = ['#status = :open', 'cutoffAt > :now', 'attribute_not_exists(leaderSuspended)'];
  if (version !== undefined) {
    names['#version'] = 'version';
    values[':version'] = version;
    conditions.push('#version = :version');
  }
  const sets = take.map((r, i) => {
    names[`#s${i}`] = stockOf(r.productId);
    values[`:q${i}`] = r.quantity;
    // stockSuffices: never below zero, however many orders race for the last units.
    conditions.push(`#s${i} >= :q${i}`);
    return `#s${i} = #s${i} - :q${i}`;
  });
  const placed = place && placeTerms(place, 1, names, values);
  if (placed) conditions.push(placed.condition);
  const check = {
    TableName: tableName(),
    Key: keys.groupBuyGate(groupBuyId),
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
  const update = [sets.length ? `SET ${sets.join(', ')}` : '', placed?.add ? `ADD ${placed.add}` : ''].filter(Boolean).join(' ');
  return update ? { Update: { ...check, UpdateExpression: update } } : { ConditionCheck: check };
}

/**
 * Why the gate (as the refused transaction found it) refused `take`: the group buy no longer takes orders
 * (or is at another version), or these products have too little left.
 */
export function refusal(
  gate: Record<string, unknown> | undefined,
  now: Date,
  version: number | undefined,
  take: Pick<Reservation, 'productId' | 'quantity'>[],
): { kind: 'group_closed' } | { kind: 'out_of_stock'; productIds: string[] } {
  const open =
    gate !== undefined &&
    gate.status === 'open' &&
    String(gate.cutoffAt) > now.toISOString() &&
    gate.leaderSuspended === undefined &&
    (version === undefined || gate.version === version);
  if (!open) return { kind: 'group_closed' };
  return {
    kind: 'out_of_stock',
    productIds: take.filter((r) => Number(gate[stockOf(r.productId)] ?? 0) < r.quantity).map((r) => r.productId),
  };
}

/** What a later change of an order asks of its group buy's gate, all in one action (a transaction touches an item once). */
export interface GateChange {
  /** Refuse unless the group buy still takes orders at this instant. */
  openAt?: Date;
  /** Refuse if the group buy's leader is suspended. */
  notSuspended?: boolean;
  /** Give back the stock the order's stock-limited lines took. */
  giveBack?: Order;
  /** Give back the order's pickup place: on the gate (its count), or on the counter (the gate only says so). */
  placeBack?: PlaceOn;
}

/**
 * The gate action of a change, if it needs one. Stock is given back with ADD and no condition on the gate's
 * existence: an order of a group buy from before gates leaves a partial gate, which the migration completes.
 */
export function gateChange(groupBuyId: string, change: GateChange): TransactItem | undefined {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  if (change.openAt) {
    names['#status'] = 'status';
    values[':open'] = 'open';
    values[':now'] = change.openAt.toISOString();
    conditions.push('#status = :open', 'cutoffAt > :now');
  }
  if (change.openAt || change.notSuspended) conditions.push('attribute_not_exists(leaderSuspended)');
  const adds = (change.giveBack?.items ?? [])
    .filter((l) => l.stockLimited)
    .map((line, i) => {
      names[`#s${i}`] = stockOf(line.productId);
      values[`:q${i}`] = line.quantity;
      return `#s${i} :q${i}`;
    });
  const placed = change.placeBack && placeTerms(change.placeBack, -1, names, values);
  if (placed) conditions.push(placed.condition);
  if (placed?.add) adds.push(placed.add);
  if (!conditions.length && !adds.length) return undefined;
  const action = {
    TableName: tableName(),
    Key: keys.groupBuyGate(groupBuyId),
    ...(conditions.length
      ? { ConditionExpression: conditions.join(' AND '), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const }
      : {}),
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
  // A place given back to the counter rewrites the mark its condition proves: a release is then an update of
  // the gate like every other (what releasing functions are granted), never a ConditionCheck of its own.
  const sets = placed && !placed.add ? ['capped = :capped'] : [];
  const update = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' ');
  return update
    ? { Update: { ...action, UpdateExpression: update } }
    : { ConditionCheck: { ...action, ConditionExpression: action.ConditionExpression! } };
}

/** What a refused change of the gate means: a change that needed the group buy open finds it closed to orders (a suspended leader's too). */
export const changeRefusal = (change: GateChange): 'group_closed' | 'leader_suspended' =>
  change.openAt ? 'group_closed' : 'leader_suspended';

/** The refused gate (as found) keeps places elsewhere than the change assumed: the change is asked again from there. */
export const placesMoved = (gate: Record<string, unknown> | undefined, assumed: PlaceOn | undefined): PlaceOn | undefined =>
  gate !== undefined && assumed !== undefined && placesOn(gate) !== assumed ? placesOn(gate) : undefined;

/** The gate closed with its group buy's first step away from `open` (the closing's), at the group buy's next version. */
export function gateClose(gb: GroupBuy, status: GroupBuy['status']): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.groupBuyGate(gb.groupBuyId),
      UpdateExpression: 'SET #status = :status, #version = :next',
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: { ':status': status, ':next': gb.version + 1 },
    },
  };
}

/** A leader's suspension marked on (or its reinstatement cleared from) the gate of one of their open group buys. */
export function gateMark(groupBuyId: string, suspended: boolean): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.groupBuyGate(groupBuyId),
      UpdateExpression: suspended ? 'SET leaderSuspended = :yes' : 'REMOVE leaderSuspended',
      ...(suspended ? { ExpressionAttributeValues: { ':yes': true } } : {}),
    },
  };
}

/**
 * Completes the gate of a group buy created before gates (the deploy's migration, `npm run migrate-placement`):
 * its state from the group buy, its stock from the STOCK# items, plus whatever changes gave back to the gate
 * meanwhile. Once only (its condition: no cutoff on the gate yet); a gate a group buy was created with, or
 * one already completed, is left alone. True when it completed one.
 */
export async function completeGate(client: Db, groupBuyId: string): Promise<boolean> {
  const items = await queryAll(client, {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: { ':pk': keys.groupBuyPartition(groupBuyId), ':from': keys.groupBuyGateSk },
    ConsistentRead: true,
  });
  const meta = items.find((i) => i.sk === 'META');
  if (!meta) return false;
  const gb = GroupBuySchema.parse(meta);
  const names: Record<string, string> = { '#type': 'type', '#status': 'status', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':type': 'GATE',
    ':id': gb.groupBuyId,
    ':status': gb.status,
    ':cutoffAt': gb.cutoffAt,
    ':version': gb.version,
  };
  const sets = [
    '#type = :type',
    'groupBuyId = :id',
    '#status = if_not_exists(#status, :status)',
    'cutoffAt = :cutoffAt',
    '#version = if_not_exists(#version, :version)',
  ];
  if (gb.leaderSuspended) {
    sets.push('leaderSuspended = :yes');
    values[':yes'] = true;
  }
  items
    .filter((i) => typeof i.sk === 'string' && i.sk.startsWith(keys.stockPrefix))
    .map((i) => StockSchema.parse(i))
    .forEach((s, i) => {
      names[`#s${i}`] = stockOf(s.productId);
      values[':zero'] = 0;
      values[`:r${i}`] = s.remaining;
      sets.push(`#s${i} = if_not_exists(#s${i}, :zero) + :r${i}`);
    });
  const done = await unlessConditionFails(
    client.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.groupBuyGate(groupBuyId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_not_exists(cutoffAt)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
  return done !== undefined;
}

/** The ids of the group buys still open or closing (the ones an order or the closing may still touch), by their index. */
export async function groupBuysInPlay(client: Db): Promise<string[]> {
  const ids: string[] = [];
  for (const partition of [keys.openGroupBuysPartition, keys.closingGroupBuysPartition]) {
    const items = await queryAll(client, {
      TableName: tableName(),
      IndexName: INDEX.byGsi2,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ProjectionExpression: 'groupBuyId',
    });
    ids.push(...items.map((i) => String(i.groupBuyId)));
  }
  return ids;
}
