// The CloudBase database's side of the health check: a read of a document that never exists, in a collection
// that deploying creates (so a missing database or an environment without its collections is not ready).
import type { StoreProbe } from '../../health/health';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, getDoc } from './db';

export const cloudbaseStoreProbe = (db: CloudBaseDb = cloudbaseDb()): StoreProbe => ({
  async ping() {
    await getDoc(db, COLLECTIONS.health, 'probe');
  },
});
