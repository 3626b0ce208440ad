// The sandbox SMS provider's outbox on CloudBase (a CloudBase environment run with SMS_PROVIDER=sandbox): the
// last code "sent" to each phone (`sandboxSms`, by phone), so a tester reads what the provider in another
// invocation sent.
import type { SentSmsLog } from '../../auth/ports';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, getDoc } from './db';

export function cloudbaseSentSmsLog(db: CloudBaseDb = cloudbaseDb()): SentSmsLog {
  return {
    async record(phone, code, sentAt) {
      await db.collection(COLLECTIONS.sandboxSms).doc(phone).set({ phone, code, sentAt });
    },
    async last(phone) {
      const doc = await getDoc(db, COLLECTIONS.sandboxSms, phone);
      return doc ? { phone: String(doc.phone), code: String(doc.code), sentAt: String(doc.sentAt) } : undefined;
    },
  };
}
