// A pickup point's places for one pickup date: the counter each order takes one place from, and the
// leader's daily capacity copied onto it (`cap`), so the order's one update proves the place is within the
// capacity without reading or checking the leader. The copy is written by whoever could make it differ from
// the leader's: the leader's change of capacity (onto every pickup date a group buy may still take orders for)
// and the opening of a group buy (onto its pickup date, on the capacity it proved unchanged).
import type { Leader } from '../../schemas/leaders';
import type { Db, TransactItem } from './dynamo';
import { guardedWrite, tableName } from './dynamo';
import { keys } from './keys';

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

/** The leader's capacity (`undefined`: no limit) copied onto the counter of `date`; the places taken stay. */
export function capPlaces(leaderId: string, date: string, capacity: number | undefined): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.pickupPlaces(leaderId, date),
      UpdateExpression: capacity === undefined ? 'SET #type = :type REMOVE cap' : 'SET #type = :type, cap = :cap',
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: { ':type': 'PICKUP_PLACES', ...(capacity === undefined ? {} : { ':cap': capacity }) },
    },
  };
}

/** The leader's record still says `capacity` (and the leader is active): what a copy of it was written from. */
export function capacityIs(capacity: number | undefined): { condition: string; values: Record<string, unknown> } {
  return capacity === undefined
    ? { condition: 'attribute_not_exists(pickupPoint.dailyOrderCapacity)', values: {} }
    : { condition: 'pickupPoint.dailyOrderCapacity = :capacity', values: { ':capacity': capacity } };
}

/**
 * The deploy's migration to capacities on the places counters (`npm run migrate-placement`): the leader's
 * capacity copied onto each of `dates`, unless the leader's capacity changed meanwhile (that change copied
 * its own). Writing the same copy again changes nothing. True when copied.
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
  const failed = await guardedWrite(client, [unchanged, ...dates.map((date) => capPlaces(leader.leaderId, date, capacity))], ['changed']);
  return failed === undefined;
}
