// A pickup point's places for one pickup date: the counter an order takes one place from while the point has
// a capacity, and the leader's daily capacity copied onto it (`cap`), so the order's one update proves the
// place is within the capacity without reading or checking the leader. At a point without a capacity an order
// takes no counter (2 WCU saved): its group buy's gate counts it (`places`, lib/store/gate.ts), and setting a
// capacity moves the gates' counts onto the counters (capacityActions). For every pickup date the orders
// holding a place are the counter's `taken` plus the `places` of the gates of that date's group buys; while
// the point has a capacity the gates hold none. The copy is written by whoever could make it differ from the
// leader's: the leader's change of capacity (onto every pickup date a group buy may still take orders for)
// and the opening of a group buy (onto its pickup date, on the capacity it proved unchanged).
import type { Leader } from '../../schemas/leaders';
import type { Db, TransactItem } from './dynamo';
import { cancellationReasons, guardedWrite, queryAll, readByKeys, tableName } from './dynamo';
import type { PlaceOn } from './gate';
import { INDEX, keys } from './keys';

/**
 * Where each group buy's places were last seen kept, per warm instance: an assumption each order's gate
 * condition proves, learnt again when refused (placesMoved). Most points have no capacity: the gate.
 */
const seen = new Map<string, PlaceOn>();
export const assumedPlaces = (groupBuyId: string): PlaceOn => seen.get(groupBuyId) ?? 'gate';
export function learnPlaces(groupBuyId: string, on: PlaceOn) {
  seen.delete(groupBuyId);
  seen.set(groupBuyId, on);
  if (seen.size > 1000) seen.delete(seen.keys().next().value!);
}

/**
 * One place at the leader's pickup point for `date`, within the capacity on the counter (none: no limit;
 * pickupHasRoom): however many residents race for the last place, one gets it.
 */
export function takePlace(leaderId: string, date: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.pickupPlaces(leaderId, date),
      UpdateExpression: 'SET #type = :type ADD taken :one',
      ConditionExpression: 'attribute_not_exists(cap) OR taken < cap OR (attribute_not_exists(taken) AND cap > :zero)',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':type': 'PICKUP_PLACES' },
    },
  };
}

/** The place an order held, given back. */
export function givePlaceBack(leaderId: string, date: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.pickupPlaces(leaderId, date),
      UpdateExpression: 'ADD taken :minus',
      ExpressionAttributeValues: { ':minus': -1 },
    },
  };
}

/**
 * The leader's capacity (`undefined`: no limit) copied onto the counter of `date`; the places taken stay, and
 * `moved` more (the places the gates counted, moved here by capacityActions).
 */
export function capPlaces(leaderId: string, date: string, capacity: number | undefined, moved = 0): TransactItem {
  const set = capacity === undefined ? 'SET #type = :type REMOVE cap' : `SET #type = :type, cap = :cap${moved ? ' ADD taken :moved' : ''}`;
  return {
    Update: {
      TableName: tableName(),
      Key: keys.pickupPlaces(leaderId, date),
      UpdateExpression: set,
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: {
        ':type': 'PICKUP_PLACES',
        ...(capacity === undefined ? {} : { ':cap': capacity }),
        ...(capacity !== undefined && moved ? { ':moved': moved } : {}),
      },
    },
  };
}

/**
 * What a change of the leader's capacity to `capacity` writes beside the leader: the copy on each of `dates`'
 * counters, and the gates of the leader's group buys picked up on those dates told where places are kept from
 * now on. Set, each gate's count moves onto its date's counter (on the condition that the gate still has the
 * count read: an order placed meanwhile fails the write, which withCapacity then makes again from a new read);
 * cleared, the counters stay as they are and new orders count on the gates again.
 */
export async function capacityActions(
  client: Db,
  leaderId: string,
  dates: string[],
  capacity: number | undefined,
): Promise<TransactItem[]> {
  if (!dates.length) return [];
  const groupBuys = await queryAll(client, {
    TableName: tableName(),
    IndexName: INDEX.byGsi1,
    KeyConditionExpression: 'gsi1pk = :pk',
    FilterExpression: 'pickupDate BETWEEN :first AND :last',
    ExpressionAttributeValues: { ':pk': keys.groupBuysByLeaderPartition(leaderId), ':first': dates[0], ':last': dates.at(-1) },
    ProjectionExpression: 'groupBuyId, pickupDate',
  });
  const dateOf = new Map(groupBuys.map((g) => [String(g.groupBuyId), String(g.pickupDate)]));
  const gates = await readByKeys(client, [...dateOf.keys()].map(keys.groupBuyGate), (i) => i, { consistent: true });
  const moved = new Map<string, number>();
  const gateActions = gates.map((gate): TransactItem => {
    const Key = keys.groupBuyGate(String(gate.groupBuyId));
    if (capacity === undefined) return { Update: { TableName: tableName(), Key, UpdateExpression: 'REMOVE capped' } };
    const count = typeof gate.places === 'number' ? gate.places : undefined;
    const date = dateOf.get(String(gate.groupBuyId))!;
    moved.set(date, (moved.get(date) ?? 0) + (count ?? 0));
    return {
      Update: {
        TableName: tableName(),
        Key,
        UpdateExpression: 'SET capped = :yes REMOVE places',
        ConditionExpression: count === undefined ? 'attribute_not_exists(places)' : 'places = :seen',
        ExpressionAttributeValues: { ':yes': true, ...(count === undefined ? {} : { ':seen': count }) },
      },
    };
  });
  return [...dates.map((date) => capPlaces(leaderId, date, capacity, moved.get(date))), ...gateActions];
}

/**
 * `write` of a capacity change with capacityActions, made again from a new read while an order moving a gate's
 * count meanwhile refuses it (a few times; orders of one point are tens a day).
 */
export async function withCapacity<T>(
  client: Db,
  leaderId: string,
  dates: string[],
  capacity: number | undefined,
  write: (actions: TransactItem[]) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const actions = await capacityActions(client, leaderId, dates, capacity);
    try {
      return await write(actions);
    } catch (err) {
      if (attempt >= 5 || !cancellationReasons(err)?.includes('ConditionalCheckFailed')) throw err;
    }
  }
}

/** The leader's record still says `capacity` (and the leader is active): what a copy of it was written from. */
export function capacityIs(capacity: number | undefined): { condition: string; values: Record<string, unknown> } {
  return capacity === undefined
    ? { condition: 'attribute_not_exists(pickupPoint.dailyOrderCapacity)', values: {} }
    : { condition: 'pickupPoint.dailyOrderCapacity = :capacity', values: { ':capacity': capacity } };
}

/**
 * The deploy's migration to capacities on the places counters (`npm run migrate-placement`): the leader's
 * capacity copied onto each of `dates`, and the gates of those dates told (capacityActions), unless the
 * leader's capacity changed meanwhile (that change copied its own). Writing the same copy again changes
 * nothing. True when copied.
 */
export async function copyCapacity(client: Db, leader: Leader, dates: string[]): Promise<boolean> {
  const capacity = leader.pickupPoint.dailyOrderCapacity;
  const same = capacityIs(capacity);
  const unchanged: TransactItem = {
    ConditionCheck: {
      TableName: tableName(),
      Key: keys.leader(leader.leaderId),
      ConditionExpression: same.condition,
      ...(Object.keys(same.values).length ? { ExpressionAttributeValues: same.values } : {}),
    },
  };
  const failed = await withCapacity(client, leader.leaderId, dates, capacity, (actions) =>
    guardedWrite(client, [unchanged, ...actions], ['changed']),
  );
  return failed === undefined;
}
