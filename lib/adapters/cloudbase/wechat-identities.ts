// The WeChat OPENID a user signed in with, on CloudBase: the `wechatOpenId` of their `users` profile (kept by
// sign-in, or by their first mini-program call). WeChat Pay's JSAPI payments need it.
import type { WeChatIdentities } from '../../payments/provider';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, getDoc } from './db';

export function cloudbaseWeChatIdentities(db: CloudBaseDb = cloudbaseDb()): WeChatIdentities {
  return {
    async openIdOf(userId) {
      const openId = (await getDoc(db, COLLECTIONS.users, userId))?.wechatOpenId;
      return typeof openId === 'string' && openId !== '' ? openId : undefined;
    },
  };
}
