// The production wiring of sign-in: DynamoDB stores, the SMS and WeChat providers chosen by settings
// (sandboxes in the local stage), the stage's token identity, and keys derived from AUTH_SECRET.
import { cloudbaseUserStore } from '../adapters/cloudbase/users';
import { sandboxSmsSender } from '../providers/sms/sandbox';
import { tencentSmsSender } from '../providers/sms/tencent';
import { sandboxWeChatAuth } from '../providers/wechat/sandbox';
import { wechatWebAuth } from '../providers/wechat/web-auth';
import { stageIdentity } from '../runtime/auth';
import { randomIds, systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { dynamoCatalogueStore } from '../store/catalogue';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoMemberStore } from '../store/members';
import { dynamoSentSmsLog } from '../store/sandbox-sms';
import { dynamoSessionStore } from '../store/sessions';
import { dynamoCodeStore } from '../store/sms-codes';
import { dynamoUserStore } from '../store/users';
import type { AccountDeps } from './account';
import type { MemberDeps } from './members';
import type { SmsSender, WeChatAuth } from './ports';
import type { WeChatCallerDeps } from './wechat-caller';
import { deriveKey } from './rules';
import type { SignInDeps } from './sign-in';

/** The sandbox's outbox, for `GET /dev/sms` (local stage only). */
export const sandboxOutbox = dynamoSentSmsLog();

function smsSender(): SmsSender {
  return config.smsProvider === 'tencent' ? tencentSmsSender(() => config.tencentSms) : sandboxSmsSender(sandboxOutbox);
}

function wechatAuth(): WeChatAuth {
  return config.wechatProvider === 'wechat' ? wechatWebAuth(() => config.wechat) : sandboxWeChatAuth();
}

export function authDeps(): SignInDeps & MemberDeps & AccountDeps {
  const users = dynamoUserStore();
  const members = dynamoMemberStore();
  let keys: SignInDeps['keys'] | undefined;
  return {
    users,
    members,
    codes: dynamoCodeStore(),
    sessions: dynamoSessionStore(),
    suppliers: dynamoCatalogueStore(),
    leaders: dynamoLeaderStore(),
    sms: smsSender(),
    wechat: wechatAuth(),
    identity: stageIdentity,
    clock: systemClock,
    ids: randomIds,
    // Derived on first use: outside the local stage AUTH_SECRET arrives from SSM with the first invocation,
    // after this module has loaded.
    get keys() {
      return (keys ??= { code: deriveKey(config.authSecret, 'sms-code'), refresh: deriveKey(config.authSecret, 'refresh-token') });
    },
    operatorPhones: config.operatorPhones,
  };
}

/** A mini-program caller's user (lib/auth/wechat-caller.ts), on the configured data store. */
export const weChatCallerDeps = (): WeChatCallerDeps => ({
  users: config.dataStore === 'cloudbase' ? cloudbaseUserStore() : dynamoUserStore(),
  ids: randomIds,
  clock: systemClock,
});
