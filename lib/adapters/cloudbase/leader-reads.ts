// The leader reads of commissions, payouts, reconciliation, the customer book, reviews and notifications on
// CloudBase (`LeaderReads`): one leader by id or by user, the active ones page by page (the payout run), a
// recruiter's recruits. Documents of the `leaders` collection, keyed by leaderId. The full LeaderStore on CloudBase
// (applying, reviewing) is the leaders function's adapter; these reads use only the fields and indexes it keeps
// (userId, status, referredBy).
import { LeaderSchema } from '../../../schemas/leaders';
import type { LeaderReads } from '../../commissions/ledger';
import { COLLECTIONS } from './collections';
import { cloudbaseDb, fieldsOf, getDoc, pageBy, queryAll, type CloudBaseDb, type StoredDoc } from './db';

const parseLeader = (doc: StoredDoc) => LeaderSchema.parse(fieldsOf(doc));

export function cloudbaseLeaderReads(db: CloudBaseDb = cloudbaseDb()): LeaderReads {
  return {
    async get(leaderId) {
      const doc = await getDoc(db, COLLECTIONS.leaders, leaderId);
      return doc ? parseLeader(doc) : undefined;
    },
    async getByUser(userId) {
      const { data } = (await db.collection(COLLECTIONS.leaders).where({ userId }).limit(1).get()) as { data: StoredDoc[] };
      return data[0] ? parseLeader(data[0]) : undefined;
    },
    async listByStatus(status, limit, cursor) {
      // Paged by `_id` (the payout run goes through them all; the order does not matter to it).
      const page = await pageBy(db, COLLECTIONS.leaders, { status }, '_id', 'asc', limit, cursor);
      return { items: page.docs.map(parseLeader), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    },
    async recruitsOf(recruiterId) {
      return (await queryAll(db, COLLECTIONS.leaders, { referredBy: recruiterId })).map(parseLeader);
    },
  };
}
