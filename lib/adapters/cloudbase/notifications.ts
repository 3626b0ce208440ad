// CloudBase adapters of the notifications' ports: the notices (keyed by their id, which is their cause: written
// once, with the outbox item that has the notify consumer send them, in one transaction), a claim on a notice
// while one invocation sends it, people's settings, the arrival confirmations, the sandboxes' log, and the
// facts the messages read (OPENIDs and phones of users, a supplier's members, a pickup point's sheet).
import { randomBytes } from 'node:crypto';
import type { Notice } from '../../../schemas/notifications';
import { ArrivalSchema, NoticeSchema, NotificationSettingsBodySchema, SentMessageSchema } from '../../../schemas/notifications';
import type { SheetLine } from '../../../schemas/pickups';
import { SheetLineSchema } from '../../../schemas/pickups';
import { finishedFields } from '../../notifications/ports';
import type * as Ports from '../../notifications/ports';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, StoredDoc } from './db';
import { cloudbaseDb, entityOf, fieldsOf, getDoc, inTransaction, isDuplicate, queryAll, Rollback, txDoc } from './db';
import { outboxAdd } from './outbox';
import { cloudbaseUserStore } from './users';

/** The notice's image as the DynamoDB item carries it (no empty `params`: the schema reads a missing one as none). */
function noticeImage(notice: Notice): Record<string, unknown> {
  const { params, ...rest } = notice;
  return { ...rest, ...(Object.keys(params).length ? { params } : {}) };
}

export function cloudbaseNoticeStore(db: CloudBaseDb = cloudbaseDb()): Ports.NoticeStore {
  /**
   * Changes the notice only while `token` holds its claim (a claim that ran out may have been taken over):
   * read and written in one transaction, so a racing claim or finish conflicts and reads again.
   */
  const whileHeld = (noticeId: string, token: string, change: (fields: Record<string, unknown>) => Record<string, unknown>) =>
    inTransaction(db, async (tx) => {
      const doc = txDoc(tx, COLLECTIONS.notices, noticeId);
      const current = fieldsOf(await doc.get());
      if (current?.leaseToken !== token) return new Rollback(undefined);
      const { leaseUntil: _until, leaseToken: _token, ...rest } = current;
      await doc.set(change(rest));
      return undefined;
    });

  return {
    async add(notice) {
      try {
        return await inTransaction(db, async (tx) => {
          // once: its id is its cause
          const doc = txDoc(tx, COLLECTIONS.notices, notice.noticeId);
          if (await doc.get()) return new Rollback(false);
          const image = noticeImage(notice);
          await doc.create(image);
          // The notify consumer sends it (its INSERT, as the stream router would hand it on).
          await outboxAdd(tx, { eventName: 'INSERT', type: 'NOTICE', key: notice.noticeId, image });
          return true;
        });
      } catch (err) {
        if (isDuplicate(err)) return false;
        throw err;
      }
    },

    async get(noticeId) {
      return getDoc(db, COLLECTIONS.notices, noticeId, entityOf(NoticeSchema));
    },

    claim: (noticeId, token, now, until) =>
      inTransaction(db, async (tx) => {
        const doc = txDoc(tx, COLLECTIONS.notices, noticeId);
        const current = fieldsOf(await doc.get());
        // stillPending AND nobodyHoldsIt (or their claim ran out: they died mid-send)
        if (current?.status !== 'pending' || (typeof current.leaseUntil === 'string' && current.leaseUntil >= now))
          return new Rollback<Notice | undefined>(undefined);
        const claimed = { ...current, leaseUntil: until, leaseToken: token };
        await doc.set(claimed);
        return NoticeSchema.parse(claimed);
      }),

    async finish(noticeId, token, outcome) {
      await whileHeld(noticeId, token, (fields) => ({ ...fields, ...finishedFields(outcome) }));
    },

    async release(noticeId, token, error) {
      await whileHeld(noticeId, token, (fields) => ({ ...fields, attempts: Number(fields.attempts ?? 0) + 1, lastError: error }));
    },
  };
}

export function cloudbaseSettingsStore(db: CloudBaseDb = cloudbaseDb()): Ports.SettingsStore {
  return {
    async get(userId) {
      const doc = await getDoc(db, COLLECTIONS.notificationSettings, userId);
      return doc ? NotificationSettingsBodySchema.pick({ sms: true, wechat: true }).strip().parse(doc) : undefined;
    },
    put: (userId, settings, at, audit) =>
      inTransaction(db, async (tx) => {
        await txDoc(tx, COLLECTIONS.notificationSettings, userId).set({ userId, ...settings, updatedAt: at });
        await auditAdd(tx, audit);
      }),
  };
}

/** A user's OPENID (their profile) and the user of a phone (its guard document), as sign-in wrote them. */
export function cloudbasePeople(db: CloudBaseDb = cloudbaseDb()): Ports.People {
  const users = cloudbaseUserStore(db);
  return {
    openIdOf: async (userId) => (await users.get(userId))?.wechatOpenId || undefined,
    userIdByPhone: async (phone) => (await users.findByPhone(phone))?.userId,
  };
}

/** The sandboxes' log (`GET /dev/messages`): what they "sent" to an address, newest first. */
export function cloudbaseSentMessageLog(db: CloudBaseDb = cloudbaseDb()): Ports.SentMessageLog {
  return {
    async record(to, message) {
      await db
        .collection(COLLECTIONS.sandboxMessages)
        .doc(idOf(to, message.sentAt, randomBytes(6).toString('hex')))
        .set({ to, ...message });
    },
    async list(to, limit) {
      const { data } = (await db
        .collection(COLLECTIONS.sandboxMessages)
        .where({ to })
        .orderBy('sentAt', 'desc')
        .limit(Math.min(limit, 1000))
        .get()) as { data: StoredDoc[] };
      return data.map((d) => SentMessageSchema.parse(d));
    },
  };
}

export function cloudbaseArrivalStore(db: CloudBaseDb = cloudbaseDb()): Ports.ArrivalStore {
  return {
    async get(leaderId, date) {
      return getDoc(db, COLLECTIONS.arrivals, idOf(leaderId, date), entityOf(ArrivalSchema));
    },
    save: (before, after, audit) =>
      inTransaction(db, async (tx) => {
        // As read: the version the confirmation was decided on (none: no confirmation yet).
        const doc = txDoc(tx, COLLECTIONS.arrivals, idOf(after.leaderId, after.date));
        const current = await doc.get();
        if ((current ? Number(current.version ?? 0) : undefined) !== before?.version) return new Rollback<'saved' | 'stale'>('stale');
        await doc.set({ ...after });
        await auditAdd(tx, audit);
        return 'saved' as const;
      }),
  };
}

/** A pickup point's sheet of a date, as the pickup-sheets consumer keeps it (`sheetLines`, by leader and date). */
export function cloudbaseSheetLines(db: CloudBaseDb = cloudbaseDb()) {
  return {
    async sheetLines(leaderId: string, date: string): Promise<SheetLine[]> {
      return (await queryAll(db, COLLECTIONS.sheetLines, { leaderId, date })).map(entityOf(SheetLineSchema));
    },
  };
}

/** A supplier's members' phones (or, with none, the phone the supplier was registered with). */
export function cloudbaseSupplierContacts(db: CloudBaseDb = cloudbaseDb()): Ports.SupplierContacts {
  return {
    async phonesOf(supplierId) {
      const members = (await queryAll(db, COLLECTIONS.supplierMembers, { supplierId })).map((m) => String(m.phone));
      if (members.length) return [...new Set(members)].sort();
      const contact = (await getDoc(db, COLLECTIONS.suppliers, supplierId))?.contactPhone;
      return typeof contact === 'string' ? [contact] : [];
    },
  };
}

/** Purchase orders are not on CloudBase yet (docs/decisions.md): nothing writes one there, so nothing asks. */
export const cloudbasePurchaseOrderFacts = (): Ports.PurchaseOrderFacts => ({
  current() {
    return Promise.reject(new Error('Purchase orders do not run on CloudBase yet (docs/decisions.md)'));
  },
});
