// CloudBase adapter of the MemberStore port: the supplier a phone signs in for (`phoneSuppliers`, keyed by the
// phone: the guard of one supplier per phone, and the sign-in lookup) and the same member under its supplier
// (`supplierMembers`, by supplier and phone, found by the `supplierId` index), written together.
import type { MemberStore } from '../../auth/ports';
import { SupplierMemberSchema } from '../../../schemas/auth';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, createGuarded, entityOf, getDoc, inTransaction, Rollback, txDoc } from './db';

export function cloudbaseMemberStore(db: CloudBaseDb = cloudbaseDb()): MemberStore {
  const get = async (phone: string) => {
    return getDoc(db, COLLECTIONS.phoneSuppliers, phone, entityOf(SupplierMemberSchema));
  };
  return {
    get,
    async supplierOf(phone) {
      return (await get(phone))?.supplierId;
    },
    add: (member, audit) =>
      createGuarded(db, { collection: COLLECTIONS.phoneSuppliers, id: member.phone, doc: { ...member } }, async (tx) => {
        await txDoc(tx, COLLECTIONS.supplierMembers, idOf(member.supplierId, member.phone)).set({ ...member });
        await auditAdd(tx, audit);
        return 'added' as const;
      }),
    remove: (member, audit) =>
      inTransaction(db, async (tx): Promise<void | Rollback<void>> => {
        // Removed meanwhile by another operator (or moved to another supplier): nothing left to do.
        const guard = txDoc(tx, COLLECTIONS.phoneSuppliers, member.phone);
        if ((await guard.get())?.supplierId !== member.supplierId) return new Rollback(undefined);
        await guard.remove();
        await txDoc(tx, COLLECTIONS.supplierMembers, idOf(member.supplierId, member.phone)).remove();
        await auditAdd(tx, audit);
      }),
  };
}
