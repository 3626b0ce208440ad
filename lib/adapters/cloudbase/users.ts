// CloudBase adapter of the part of the UserStore port that finding or creating a user needs (a mini-program
// caller known by WX_OPENID): a profile per user (`users`) and one guard document per phone and per OPENID
// (`phoneUsers`, `openIdUsers`, keyed by the phone or the OPENID), created in one transaction with the profile,
// so a phone or an OPENID is one user forever, as on DynamoDB. Linking an OPENID to a user is not here yet.
import type { UserStore } from '../../auth/ports';
import { UserSchema } from '../../../schemas/auth';
import { auditAdd } from './audit';
import { COLLECTIONS } from './collections';
import { cloudbaseDb, fieldsOf, getDoc, inTransaction, isDuplicate, Rollback, txDoc, type CloudBaseDb } from './db';

export type CloudBaseUserStore = Pick<UserStore, 'get' | 'findByPhone' | 'findByOpenId' | 'create'>;

export function cloudbaseUserStore(db: CloudBaseDb = cloudbaseDb()): CloudBaseUserStore {
  const get = async (userId: string) => {
    const doc = await getDoc(db, COLLECTIONS.users, userId);
    return doc ? UserSchema.parse(fieldsOf(doc)) : undefined;
  };
  const byGuard = async (collection: string, id: string) => {
    const userId = (await getDoc(db, collection, id))?.userId;
    return typeof userId === 'string' ? get(userId) : undefined;
  };

  return {
    get,
    findByPhone: (phone) => byGuard(COLLECTIONS.phoneUsers, phone),
    findByOpenId: (openId) => byGuard(COLLECTIONS.openIdUsers, openId),
    async create(user, audit) {
      const guard = user.phone
        ? { collection: COLLECTIONS.phoneUsers, id: user.phone }
        : { collection: COLLECTIONS.openIdUsers, id: user.wechatOpenId ?? '' };
      if (!guard.id) throw new Error('a user is created with a phone or an OPENID');
      try {
        return await inTransaction(db, async (tx) => {
          // The guard is created, not only read: a racing first sign-in's transaction then conflicts or
          // finds it taken; the loser answers `taken` and the caller reads the winner.
          const doc = txDoc(tx, guard.collection, guard.id);
          if (await doc.get()) return new Rollback<'created' | 'taken'>('taken');
          await doc.create({ userId: user.userId });
          await txDoc(tx, COLLECTIONS.users, user.userId).create({ ...user });
          await auditAdd(tx, audit);
          return 'created' as const;
        });
      } catch (err) {
        if (isDuplicate(err)) return 'taken';
        throw err;
      }
    },
  };
}
