// CloudBase adapter of the CodeStore port: the code last texted to each phone (`smsCodes`, by phone; hash only)
// and the send logs the rate limits judge (`smsSendLogs`, by limit key). Every decision reads the document in
// a transaction that also writes it, so racing requests conflict and, run again, see what the winner left:
// one code per admitted send, and never more tries at a code than allowed. CloudBase has no TTL here: every
// decision compares stored times with now, and `keepUntil` says when a document no longer matters.
import type { CodeStore } from '../../auth/ports';
import { sendLogsOf } from '../../auth/ports';
import { SmsCodeRecordSchema } from '../../../schemas/auth';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, fieldsOf, getDoc, inTransaction, Rollback, txDoc } from './db';

/** Expired codes linger a day for support questions ("I never got it"), as on DynamoDB. */
const CODE_KEEP_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function cloudbaseCodeStore(db: CloudBaseDb = cloudbaseDb()): CodeStore {
  return {
    sendLogs: (subjects) => sendLogsOf(subjects, (subject) => getDoc(db, COLLECTIONS.smsSendLogs, subject)),
    saveCode: (code, logs) =>
      inTransaction(db, async (tx): Promise<'saved' | Rollback<'raced'>> => {
        for (const { key, before, after, keepUntil } of logs) {
          const log = txDoc(tx, COLLECTIONS.smsSendLogs, key);
          // Optimistic lock: the log is still the one the decision was made on.
          if (((await log.get())?.version ?? 0) !== before.version) return new Rollback('raced');
          await log.set({ sends: after.map(iso), version: before.version + 1, keepUntil: iso(keepUntil) });
        }
        await txDoc(tx, COLLECTIONS.smsCodes, code.phone).set({ ...code, keepUntil: iso(Date.parse(code.expiresAt) + CODE_KEEP_MS) });
        return 'saved';
      }),
    countAttempt: (phone, now, maxAttempts) =>
      inTransaction(db, async (tx) => {
        const doc = txDoc(tx, COLLECTIONS.smsCodes, phone);
        const stored = fieldsOf(await doc.get());
        // A code exists, has tries left, and has not expired (judged here, not by any clean-up).
        if (!stored || Number(stored.attempts) >= maxAttempts || String(stored.expiresAt) <= now) return new Rollback(undefined);
        await doc.update({ attempts: db.command.inc(1) });
        return SmsCodeRecordSchema.parse({ ...stored, attempts: Number(stored.attempts) + 1 });
      }),
    useCode: (phone, codeHash) =>
      inTransaction(db, async (tx) => {
        const doc = txDoc(tx, COLLECTIONS.smsCodes, phone);
        if ((await doc.get())?.codeHash !== codeHash) return new Rollback(false);
        await doc.remove();
        return true;
      }),
  };
}
