// Reads the WeChat OPENID a user signed in with, from the user profile that sign-in keeps
// (pk `USER#<userId>`, sk `PROFILE`, attribute `wechatOpenId`): payments need it for JSAPI, payouts for 商家转账.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { WeChatIdentities } from '../payments/provider';
import type { Db } from './dynamo';
import { db, tableName } from './dynamo';
import { keys } from './keys';

export function dynamoWeChatIdentities(client: Db = db()): WeChatIdentities {
  return {
    async openIdOf(userId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName(), Key: keys.userProfile(userId), ProjectionExpression: 'wechatOpenId' }),
      );
      const openId: unknown = Item?.wechatOpenId;
      return typeof openId === 'string' && openId !== '' ? openId : undefined;
    },
  };
}
