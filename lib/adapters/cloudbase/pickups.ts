// CloudBase adapter of the PickupStore port: the sorting sheet's lines (one document per order, newest order
// image wins) and the pickup codes' guards the closing writes (one per code, pickup point and date).
import type { Leader } from '../../../schemas/leaders';
import { LeaderSchema } from '../../../schemas/leaders';
import { SheetLineSchema } from '../../../schemas/pickups';
import type { PickupStore } from '../../pickups/pickups';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, queryAll, Rollback, txDoc } from './db';
import { cloudbaseLeaderIdOf } from './leaders';

export function cloudbasePickupStore(db: CloudBaseDb = cloudbaseDb()): PickupStore {
  return {
    upsertSheetLine: (line) =>
      inTransaction(db, async (tx): Promise<'written' | Rollback<'stale'>> => {
        const doc = txDoc(tx, COLLECTIONS.sheetLines, idOf(line.leaderId, line.date, line.orderId));
        const current = await doc.get();
        // newerImage: an older or repeated image of the order never overwrites a newer one.
        if (current && Number(current.orderVersion) >= line.orderVersion) return new Rollback('stale');
        await doc.set({ ...line });
        return 'written';
      }),

    async sheetLines(leaderId, date) {
      return (await queryAll(db, COLLECTIONS.sheetLines, { leaderId, date })).map(entityOf(SheetLineSchema));
    },

    async orderIdForCode(leaderId, date, code) {
      const guard = await getDoc(db, COLLECTIONS.pickupCodes, idOf(leaderId, date, code));
      return typeof guard?.orderId === 'string' ? guard.orderId : undefined;
    },
  };
}

/**
 * The leader record of a user, the one leader read pickups make (who may read a sheet, who confirms a pickup),
 * until the leaders' own CloudBase adapter carries the whole LeaderStore port.
 */
export function cloudbaseLeaderOfUser(db: CloudBaseDb = cloudbaseDb()) {
  const leaderIdOf = cloudbaseLeaderIdOf(db);
  return async (userId: string): Promise<Leader | undefined> => {
    const leaderId = await leaderIdOf(userId);
    return leaderId ? getDoc(db, COLLECTIONS.leaders, leaderId, entityOf(LeaderSchema)) : undefined;
  };
}
