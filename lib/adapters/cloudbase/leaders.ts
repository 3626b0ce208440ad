// The one leader read the ordering path needs on CloudBase: the leader id of a user (the `leaders` collection's
// unique `userId` index makes it one document at most). The rest of the LeaderStore port is not on CloudBase yet.
import { COLLECTIONS } from './collections';
import { cloudbaseDb, type CloudBaseDb, type StoredDoc } from './db';

export function cloudbaseLeaderIdOf(db: CloudBaseDb = cloudbaseDb()) {
  return async (userId: string): Promise<string | undefined> => {
    const { data } = (await db.collection(COLLECTIONS.leaders).where({ userId }).limit(1).get()) as { data: StoredDoc[] };
    const leaderId = data[0]?.leaderId;
    return typeof leaderId === 'string' ? leaderId : undefined;
  };
}
