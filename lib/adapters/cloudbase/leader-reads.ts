// The two leader reads that the customer book, the reviews and the notifications need on CloudBase (a leader
// by id, and by user: the `leaders` collection's unique `userId` index makes that one document at most). The
// leaders' own store on CloudBase belongs to the leaders function; these read the documents it writes.
import { LeaderSchema, type Leader } from '../../../schemas/leaders';
import type { LeaderStore } from '../../leaders/leaders';
import { COLLECTIONS } from './collections';
import { cloudbaseDb, fieldsOf, getDoc, type CloudBaseDb, type StoredDoc } from './db';

const parseLeader = (doc: StoredDoc | undefined): Leader | undefined => (doc ? LeaderSchema.parse(fieldsOf(doc)) : undefined);

export function cloudbaseLeaderReads(db: CloudBaseDb = cloudbaseDb()): Pick<LeaderStore, 'get' | 'getByUser'> {
  return {
    get: async (leaderId) => parseLeader(await getDoc(db, COLLECTIONS.leaders, leaderId)),
    async getByUser(userId) {
      const { data } = (await db.collection(COLLECTIONS.leaders).where({ userId }).limit(1).get()) as { data: StoredDoc[] };
      return parseLeader(data[0]);
    },
  };
}
