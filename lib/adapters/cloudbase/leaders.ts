// CloudBase adapter of the LeaderStore port: one `leaders` document per leader, keyed by its id. The unique
// `userId` and `referralCode` indexes (INDEXES) are the guards DynamoDB keeps as pointer items: one leader per
// user, one leader per code. A change is decided on the version read, in one transaction with its audit record,
// the suspension marks of the leader's open group buys, and (for a change of status) the outbox item the notify
// consumer reads.
import type { LeaderStore } from '../../leaders/leaders';
import type { Leader } from '../../../schemas/leaders';
import { LeaderSchema } from '../../../schemas/leaders';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import { cloudbaseDb, entityOf, getDoc, inTransaction, isDuplicate, pageBy, queryAll, Rollback, txDoc } from './db';
import type { CloudBaseDb, StoredDoc } from './db';
import { markLeaderSuspended } from './group-buys';
import { outboxAdd } from './outbox';

/** The leader as stored: its fields and the sort key of `GET /leaders?status=` (oldest first, as on DynamoDB). */
const leaderDoc = (leader: Leader) => ({ ...leader, byStatus: idOf(leader.createdAt, leader.leaderId) });
const parseLeader = entityOf(LeaderSchema);

/** The one leader whose unique field has this value (a unique index: one document at most). */
async function leaderWhere(db: CloudBaseDb, where: { userId: string } | { referralCode: string }): Promise<StoredDoc | undefined> {
  const { data } = (await db.collection(COLLECTIONS.leaders).where(where).limit(1).get()) as { data: StoredDoc[] };
  return data[0];
}

/** The leader id of a user: the one leader read the ordering path needs. */
export function cloudbaseLeaderIdOf(db: CloudBaseDb = cloudbaseDb()) {
  return async (userId: string): Promise<string | undefined> => {
    const leaderId = (await leaderWhere(db, { userId }))?.leaderId;
    return typeof leaderId === 'string' ? leaderId : undefined;
  };
}

export function cloudbaseLeaderStore(db: CloudBaseDb = cloudbaseDb()): LeaderStore {
  const byUser = async (userId: string) => {
    const doc = await leaderWhere(db, { userId });
    return doc ? parseLeader(doc) : undefined;
  };

  return {
    async get(leaderId) {
      return getDoc(db, COLLECTIONS.leaders, leaderId, parseLeader);
    },
    getByUser: byUser,
    async findByReferralCode(code) {
      const doc = await leaderWhere(db, { referralCode: code });
      return doc ? parseLeader(doc) : undefined;
    },

    async create(leader, audit) {
      try {
        return await inTransaction(db, async (tx) => {
          await txDoc(tx, COLLECTIONS.leaders, leader.leaderId).create(leaderDoc(leader));
          await outboxAdd(tx, { eventName: 'INSERT', type: 'LEADER', key: leader.leaderId, image: leader });
          await auditAdd(tx, audit);
          return 'created' as const;
        });
      } catch (err) {
        // A unique index refused it (a racing application's transaction conflicted first, was retried, and
        // found the winner committed): which guard is told by whether the user now has a leader.
        if (!isDuplicate(err)) throw err;
        return (await byUser(leader.userId)) ? 'user_has_leader' : 'code_taken';
      }
    },

    update: (before, after, audit, groupBuys) =>
      inTransaction(db, async (tx): Promise<'updated' | Rollback<'stale'>> => {
        // Optimistic lock: read and written here, so that a change (or a group buy opening) meanwhile conflicts.
        const doc = txDoc(tx, COLLECTIONS.leaders, before.leaderId);
        const current = await doc.get();
        if (!current || Number(current.version ?? 0) !== before.version) return new Rollback('stale');
        const next: Leader = { ...after, version: before.version + 1 };
        await doc.set(leaderDoc(next));
        for (const groupBuyId of groupBuys?.ids ?? []) await markLeaderSuspended(db, tx, groupBuyId, groupBuys!.suspended);
        // Only a change of status is a change the consumers want (notify: approved, rejected); without the old
        // image the stream gives them, a rewrite of the same status would look like a new decision.
        if (before.status !== after.status) await outboxAdd(tx, { eventName: 'MODIFY', type: 'LEADER', key: next.leaderId, image: next });
        await auditAdd(tx, audit);
        return 'updated';
      }),

    async openGroupBuysOf(leaderId) {
      const docs = await queryAll(db, COLLECTIONS.groupBuys, { leaderId, status: 'open' });
      return docs.map((d) => String(d.groupBuyId));
    },

    async listByStatus(status, limit, cursor) {
      return pageBy(db, COLLECTIONS.leaders, { status }, 'byStatus', 'asc', limit, cursor, parseLeader);
    },

    async recruitsOf(recruiterId) {
      // By their application's time, as DynamoDB's recruits index sorts them.
      const docs = await queryAll(db, COLLECTIONS.leaders, { referredBy: recruiterId });
      return docs.sort((a, b) => (String(a.byStatus) < String(b.byStatus) ? -1 : 1)).map(parseLeader);
    },
  };
}
