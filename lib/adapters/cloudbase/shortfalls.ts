// CloudBase adapter of the ShortfallStore port: a shortfall report, written once with its audit.
import type { ShortfallStore } from '../../purchase-orders/shortfalls';
import { ShortfallSchema } from '../../../schemas/shortfalls';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, Rollback, txDoc } from './db';

export function cloudbaseShortfallStore(db: CloudBaseDb = cloudbaseDb()): ShortfallStore {
  return {
    async get(purchaseOrderId, shortfallId) {
      return getDoc(db, COLLECTIONS.shortfalls, idOf(purchaseOrderId, shortfallId), entityOf(ShortfallSchema));
    },
    put: (shortfall, audit) =>
      inTransaction(db, async (tx): Promise<'written' | Rollback<'exists'>> => {
        const doc = txDoc(tx, COLLECTIONS.shortfalls, idOf(shortfall.purchaseOrderId, shortfall.shortfallId));
        if (await doc.get()) return new Rollback('exists');
        await doc.create({ ...shortfall });
        await auditAdd(tx, audit);
        return 'written';
      }),
  };
}
