// The two reads of other domains that sign-in needs on CloudBase: a supplier by id (adding a member) and the
// leader record of a user (GET /me), read as the catalogue's and the leaders' CloudBase adapters store them.
// Stopgap: once those adapters are on main, the wiring takes `getSupplier` and `getByUser` from them instead.
import type { CatalogueStore } from '../../catalogue/catalogue';
import type { LeaderStore } from '../../leaders/leaders';
import { SupplierSchema } from '../../../schemas/catalogue';
import { LeaderSchema } from '../../../schemas/leaders';
import { COLLECTIONS } from './collections';
import { cloudbaseDb, fieldsOf, getDoc, type CloudBaseDb, type StoredDoc } from './db';

export const cloudbaseSuppliers = (db: CloudBaseDb = cloudbaseDb()): Pick<CatalogueStore, 'getSupplier'> => ({
  async getSupplier(supplierId) {
    const doc = await getDoc(db, COLLECTIONS.suppliers, supplierId);
    return doc ? SupplierSchema.parse(fieldsOf(doc)) : undefined;
  },
});

export const cloudbaseLeaders = (db: CloudBaseDb = cloudbaseDb()): Pick<LeaderStore, 'getByUser'> => ({
  async getByUser(userId) {
    // The `leaders` collection's unique `userId` index: one document at most.
    const { data } = (await db.collection(COLLECTIONS.leaders).where({ userId }).limit(1).get()) as { data: StoredDoc[] };
    return data[0] ? LeaderSchema.parse(fieldsOf(data[0])) : undefined;
  },
});
