// CloudBase adapter of the SessionStore port: a sign-in (`sessions`, by id) and its refresh tokens
// (`refreshTokens`, each known only by its hash). Rotation reads and writes the token and its session in one
// transaction, so two requests presenting one token can never both rotate it, and a rotation racing a
// revocation conflicts and, run again, finds the sign-in ended.
import type { SessionStore } from '../../auth/ports';
import { RefreshTokenRecordSchema, SessionSchema } from '../../../schemas/auth';
import { auditAdd } from './audit';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, Rollback, txDoc } from './db';

export function cloudbaseSessionStore(db: CloudBaseDb = cloudbaseDb()): SessionStore {
  return {
    start: (session, token, audit) =>
      inTransaction(db, async (tx) => {
        // Kept while its refresh token can still be used (the expiry sweep removes it after; DynamoDB's TTL there).
        await txDoc(tx, COLLECTIONS.sessions, session.sessionId).create({ ...session, keepUntil: token.expiresAt });
        await txDoc(tx, COLLECTIONS.refreshTokens, token.tokenHash).create({ ...token });
        await auditAdd(tx, audit);
      }),
    async get(sessionId) {
      return getDoc(db, COLLECTIONS.sessions, sessionId, entityOf(SessionSchema));
    },
    async getToken(tokenHash) {
      return getDoc(db, COLLECTIONS.refreshTokens, tokenHash, entityOf(RefreshTokenRecordSchema));
    },
    rotate: (current, next, at) =>
      inTransaction(db, async (tx): Promise<'rotated' | Rollback<'stale'>> => {
        // The token still current and its sign-in still active, both read and written here.
        const token = txDoc(tx, COLLECTIONS.refreshTokens, current.tokenHash);
        const session = txDoc(tx, COLLECTIONS.sessions, current.sessionId);
        if ((await token.get())?.status !== 'current' || (await session.get())?.status !== 'active') return new Rollback('stale');
        await token.update({ status: 'rotated', rotatedAt: at });
        await txDoc(tx, COLLECTIONS.refreshTokens, next.tokenHash).create({ ...next });
        await session.update({ refreshedAt: at, keepUntil: next.expiresAt });
        return 'rotated';
      }),
    revoke: (sessionId, reason, at, audit) =>
      inTransaction(db, async (tx): Promise<void | Rollback<void>> => {
        // Already revoked (a logout racing a replay, say): it stays as the first one left it.
        const session = txDoc(tx, COLLECTIONS.sessions, sessionId);
        if ((await session.get())?.status !== 'active') return new Rollback(undefined);
        await session.update({ status: 'revoked', revokedAt: at, revokedReason: reason });
        await auditAdd(tx, audit);
      }),
  };
}
