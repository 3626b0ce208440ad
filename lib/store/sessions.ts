// DynamoDB adapter of the SessionStore port: a sign-in (`SESSION#<id>`) and its refresh tokens, each
// known only by its hash (`REFRESH#<hash>`). Rotation and revocation are conditional writes, so two
// requests presenting one token can never both rotate it.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionStore } from '../auth/ports';
import type { RefreshTokenRecord } from '../../schemas/auth';
import { RefreshTokenRecordSchema, SessionSchema } from '../../schemas/auth';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, putIfNew, tableName, transactWrite } from './dynamo';
import type { Key } from './keys';
import { keys } from './keys';

const ttlOf = (iso: string) => Math.ceil(Date.parse(iso) / 1000);
const tokenItem = (token: RefreshTokenRecord) => ({
  ...keys.refreshToken(token.tokenHash),
  type: 'REFRESH_TOKEN',
  ...token,
  ttl: ttlOf(token.expiresAt),
});

export function dynamoSessionStore(client: Db = db()): SessionStore {
  const read = async (key: Key) => (await client.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
  return {
    async start(session, token, audit) {
      await transactWrite(client, [
        {
          Put: {
            TableName: tableName(),
            // The session lasts as long as its newest refresh token could be used.
            Item: { ...keys.session(session.sessionId), type: 'SESSION', ...session, ttl: ttlOf(token.expiresAt) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        putIfNew(tokenItem(token)),
        auditPut(audit),
      ]);
    },
    async get(sessionId) {
      const item = await read(keys.session(sessionId));
      return item ? SessionSchema.parse(item) : undefined;
    },
    async getToken(tokenHash) {
      const item = await read(keys.refreshToken(tokenHash));
      return item ? RefreshTokenRecordSchema.parse(item) : undefined;
    },
    async rotate(current, next, at) {
      // Each action is a guard: the token still current, the new one not taken, the session still active.
      const failed = await guardedWrite(
        client,
        [
          {
            Update: {
              TableName: tableName(),
              Key: keys.refreshToken(current.tokenHash),
              UpdateExpression: 'SET #status = :rotated, rotatedAt = :at',
              ConditionExpression: '#status = :current',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':rotated': 'rotated', ':current': 'current', ':at': at },
            },
          },
          putIfNew(tokenItem(next)),
          {
            Update: {
              TableName: tableName(),
              Key: keys.session(current.sessionId),
              UpdateExpression: 'SET refreshedAt = :at, #ttl = :ttl',
              ConditionExpression: '#status = :active',
              ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
              ExpressionAttributeValues: { ':at': at, ':ttl': ttlOf(next.expiresAt), ':active': 'active' },
            },
          },
        ],
        ['stale', 'stale', 'stale'],
      );
      return failed ?? 'rotated';
    },
    async revoke(sessionId, reason, at, audit) {
      // Already revoked (a logout racing a replay, say): it stays as the first one left it.
      await guardedWrite(
        client,
        [
          {
            Update: {
              TableName: tableName(),
              Key: keys.session(sessionId),
              UpdateExpression: 'SET #status = :revoked, revokedAt = :at, revokedReason = :reason',
              ConditionExpression: '#status = :active',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active', ':at': at, ':reason': reason },
            },
          },
          auditPut(audit),
        ],
        ['revoked'],
      );
    },
  };
}
