// CloudBase adapter of the UserStore port: a profile per user (`users`) and one guard document per phone and
// per OPENID (`phoneUsers`, `openIdUsers`, keyed by the phone or the OPENID), written in one transaction with
// the profile, so a phone or an OPENID is one user forever, as on DynamoDB.
import type { UserStore } from '../../auth/ports';
import { UserSchema } from '../../../schemas/auth';
import { auditAdd } from './audit';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, createGuarded, entityOf, fieldsOf, getDoc, inTransaction, Rollback, txDoc } from './db';

type BindOutcome = Awaited<ReturnType<UserStore['bindOpenId']>>;

export function cloudbaseUserStore(db: CloudBaseDb = cloudbaseDb()): UserStore {
  const get = async (userId: string) => {
    return getDoc(db, COLLECTIONS.users, userId, entityOf(UserSchema));
  };
  const byGuard = async (collection: string, id: string) => {
    const userId = (await getDoc(db, collection, id))?.userId;
    return typeof userId === 'string' ? get(userId) : undefined;
  };

  return {
    get,
    findByPhone: (phone) => byGuard(COLLECTIONS.phoneUsers, phone),
    findByOpenId: (openId) => byGuard(COLLECTIONS.openIdUsers, openId),
    create(user, audit) {
      const id = user.phone ?? user.wechatOpenId;
      if (!id) throw new Error('a user is created with a phone or an OPENID');
      // A racing first sign-in of the same phone or OPENID: the loser answers `taken` and the caller reads the winner.
      return createGuarded(
        db,
        { collection: user.phone ? COLLECTIONS.phoneUsers : COLLECTIONS.openIdUsers, id, doc: { userId: user.userId } },
        async (tx) => {
          await txDoc(tx, COLLECTIONS.users, user.userId).create({ ...user });
          await auditAdd(tx, audit);
          return 'created' as const;
        },
      );
    },
    bindOpenId: (userId, openId, audit) =>
      inTransaction(db, async (tx): Promise<BindOutcome | Rollback<BindOutcome>> => {
        // Both documents are written here, so a racing bind of the same OPENID or of the same user conflicts
        // and, run again, reads what the other one left.
        const guard = txDoc(tx, COLLECTIONS.openIdUsers, openId);
        const holder = (await guard.get())?.userId;
        if (holder !== undefined && holder !== userId) return new Rollback('openid_taken');
        const profile = txDoc(tx, COLLECTIONS.users, userId);
        const current = fieldsOf(await profile.get());
        if (current?.wechatOpenId !== undefined && current.wechatOpenId !== openId) return new Rollback('user_has_other');
        await guard.set({ userId });
        // A `/dev/login` user has no profile yet: this creates it.
        await profile.set({ ...(current ?? { userId, createdAt: audit.at }), wechatOpenId: openId });
        await auditAdd(tx, audit);
        return 'bound';
      }),
  };
}
