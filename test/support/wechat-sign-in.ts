// A user who signed in with WeChat, as the sign-in store keeps them: what WeChat Pay tests need of a payer or payee.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { unique } from './fixtures';

/** The sign-in store's profile of a user who signed in with WeChat (written here as sign-in writes it). */
export async function signedInWithWeChat(userId: string, openId = `o-${unique('openid')}`) {
  await db().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.userProfile(userId), type: 'USER', userId, wechatOpenId: openId } }),
  );
  return openId;
}
