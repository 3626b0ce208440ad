// CloudBase has no TTL. What DynamoDB deletes by its `ttl` attribute (codes and send logs a day after they stop
// mattering, sign-ins and refresh tokens once their refresh token has expired) and what SQS drops by its
// retention (a dead-letter message after 14 days) is removed here by a timer (`functions/sweep-expired`),
// from each collection by its keep-until field. Nothing reads these documents past that time to decide
// anything: every decision compares stored times with now, so the sweep changes no outcome, it only stops
// keeping phone numbers, code hashes and tokens longer than the platform needs them.
import type { CollectionName } from './collections';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb } from './db';

/** How long a dead outbox item is kept for an operator to look at (an SQS dead-letter queue's 14 days). */
export const DEAD_OUTBOX_KEEP_MS = 14 * 86_400_000;

/** The collections whose documents expire, and the field (an ISO time) after which each may go. */
export const EXPIRING: { collection: CollectionName; field: string }[] = [
  { collection: COLLECTIONS.smsCodes, field: 'keepUntil' },
  { collection: COLLECTIONS.smsSendLogs, field: 'keepUntil' },
  { collection: COLLECTIONS.sessions, field: 'keepUntil' },
  { collection: COLLECTIONS.refreshTokens, field: 'expiresAt' },
  { collection: COLLECTIONS.outbox, field: 'keepUntil' },
];

/** Removes every document past its keep-until time; answers how many went, by collection. */
export async function removeExpired(db: CloudBaseDb = cloudbaseDb(), now: Date = new Date()): Promise<Record<string, number>> {
  const _ = db.command;
  const removed: Record<string, number> = {};
  for (const { collection, field } of EXPIRING) {
    const { deleted } = (await db
      .collection(collection)
      .where({ [field]: _.lt(now.toISOString()) })
      .remove()) as { deleted?: number };
    removed[collection] = deleted ?? 0;
  }
  return removed;
}
