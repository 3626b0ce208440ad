// The outbox: CloudBase has no change stream like DynamoDB's, so each change that some consumer of
// lib/runtime/stream-routes.json wants is written, in the same transaction as the change, as one outbox item
// per consumer. The item carries the change in the very shape the stream router gives a consumer (a stream
// record with the new image), so that the same filters pick it and the same consumer handlers read it. A
// timer-triggered sweep delivering each item (claimed with a conditional update) is still to be written: until
// then the items wait in the collection (docs/decisions.md, 2026-11-30 — CloudBase).
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from '../../runtime/clock';
import { matchesAnyFilter } from '../../runtime/filter-patterns';
import { messageBody } from '../../runtime/stream-router';
import { CONSUMER_ROUTES, type ConsumerRoute } from '../../runtime/stream-routes';
import { COLLECTIONS } from './collections';
import { clean, txDoc, type Transaction } from './db';

/** A change of an entity: what the DynamoDB item would be (`type` and the entity's fields) and its key. */
export interface Change {
  eventName: 'INSERT' | 'MODIFY';
  /** The entity's type as the routes filter on it (`ORDER`, `REFUND`, `GROUP_BUY`). */
  type: string;
  /** Where it lives (for the record's `Keys`; consumers do not read it). */
  key: string;
  image: Record<string, unknown>;
}

export interface OutboxItem {
  consumer: string;
  /** The consumer's message body: a stream record, as the stream router sends it. */
  body: string;
  /** Visible to the sweep from then on (a claim moves it on by the consumer's visibility timeout). */
  availableAt: string;
  receiveCount: number;
  createdAt: string;
  status: 'pending' | 'dead';
}

/** The stream record of a change, and the consumers whose filters it matches. */
export function routeChange(change: Change, routes: ConsumerRoute[] = CONSUMER_ROUTES) {
  const id = ulid();
  const record: DynamoDBRecord = {
    eventID: id,
    eventName: change.eventName,
    dynamodb: {
      Keys: marshall({ key: change.key }) as never,
      NewImage: marshall(clean({ ...change.image, type: change.type }), { removeUndefinedValues: true }) as never,
      SequenceNumber: id,
    },
  };
  return { id, record, consumers: routes.filter((r) => matchesAnyFilter(record, r.filterPatterns)).map((r) => r.name) };
}

/** Writes, inside the transaction of the change, one outbox item for each consumer that wants it. */
export async function outboxAdd(tx: Transaction, change: Change, now: Date = new Date()): Promise<string[]> {
  const { id, record, consumers } = routeChange(change);
  const body = messageBody(record);
  for (const consumer of consumers) {
    const item: OutboxItem = {
      consumer,
      body,
      availableAt: now.toISOString(),
      receiveCount: 0,
      createdAt: now.toISOString(),
      status: 'pending',
    };
    await txDoc(tx, COLLECTIONS.outbox, `${id}-${consumer}`).create({ ...item });
  }
  return consumers;
}
