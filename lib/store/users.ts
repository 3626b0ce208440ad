// DynamoDB adapter of the UserStore port: a profile per user (`USER#<id>`/`PROFILE`) and one guard item
// per phone and per OPENID, written in the same transaction, so a phone or an OPENID is one user forever.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { UserStore } from '../auth/ports';
import type { User } from '../../schemas/auth';
import { UserSchema } from '../../schemas/auth';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, tableName } from './dynamo';
import type { Key } from './keys';
import { keys } from './keys';

const isNew = 'attribute_not_exists(pk)';

export function dynamoUserStore(client: Db = db()): UserStore {
  // Consistent reads: a user created a moment ago by a racing first sign-in must be seen.
  const read = async (key: Key) => (await client.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
  const get = async (userId: string) => {
    const item = await read(keys.userProfile(userId));
    return item ? UserSchema.parse(item) : undefined;
  };
  const byGuard = async (key: Key) => {
    const userId: unknown = (await read(key))?.userId;
    return typeof userId === 'string' ? get(userId) : undefined;
  };

  return {
    get,
    findByPhone: (phone) => byGuard(keys.phoneUser(phone)),
    findByOpenId: (openId) => byGuard(keys.openIdUser(openId)),
    async create(user: User, audit) {
      const guard = user.phone
        ? { ...keys.phoneUser(user.phone), type: 'PHONE_USER' }
        : { ...keys.openIdUser(user.wechatOpenId!), type: 'WXOPENID_USER' };
      const failed = await guardedWrite(
        client,
        [
          { Put: { TableName: tableName(), Item: { ...guard, userId: user.userId }, ConditionExpression: isNew } },
          {
            Put: { TableName: tableName(), Item: { ...keys.userProfile(user.userId), type: 'USER', ...user }, ConditionExpression: isNew },
          },
          auditPut(audit),
        ],
        ['taken'],
      );
      return failed ?? 'created';
    },
    async bindOpenId(userId, openId, audit) {
      const failed = await guardedWrite(
        client,
        [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.openIdUser(openId), type: 'WXOPENID_USER', userId },
              ConditionExpression: 'attribute_not_exists(pk) OR userId = :userId',
              ExpressionAttributeValues: { ':userId': userId },
            },
          },
          {
            Update: {
              TableName: tableName(),
              Key: keys.userProfile(userId),
              // A `/dev/login` user has no profile yet: this creates it.
              UpdateExpression: 'SET wechatOpenId = :openId, userId = :userId, #type = :type, createdAt = if_not_exists(createdAt, :at)',
              ConditionExpression: 'attribute_not_exists(wechatOpenId) OR wechatOpenId = :openId',
              ExpressionAttributeNames: { '#type': 'type' },
              ExpressionAttributeValues: { ':openId': openId, ':userId': userId, ':type': 'USER', ':at': audit.at },
            },
          },
          auditPut(audit),
        ],
        ['openid_taken', 'user_has_other'],
      );
      return failed ?? 'bound';
    },
  };
}
