// The production wiring of sign-in: the stores of the configured data store (DynamoDB, or CloudBase's document
// database in the CloudBase build), the SMS and WeChat providers chosen by settings (sandboxes in the local
// stage), the stage's token identity, and keys derived from AUTH_SECRET.
import { cloudbaseMemberStore } from '../adapters/cloudbase/members';
import { catalogueStore } from '../catalogue/wiring';
import { leaderStore } from '../leaders/wiring';
import { cloudbaseSentSmsLog } from '../adapters/cloudbase/sandbox-sms';
import { cloudbaseSessionStore } from '../adapters/cloudbase/sessions';
import { cloudbaseCodeStore } from '../adapters/cloudbase/sms-codes';
import { cloudbaseUserStore } from '../adapters/cloudbase/users';
import { sandboxSmsSender } from '../providers/sms/sandbox';
import { tencentSmsSender } from '../providers/sms/tencent';
import { sandboxWeChatAuth } from '../providers/wechat/sandbox';
import { wechatWebAuth } from '../providers/wechat/web-auth';
import { stageIdentity } from '../runtime/auth';
import { miniProgramCaller } from '../runtime/cloudbase-http';
import type { VouchedCaller } from '../runtime/http';
import { randomIds, systemClock } from '../runtime/clock';
import { config, onCloudBase } from '../runtime/config';
import { dynamoMemberStore } from '../store/members';
import { dynamoSentSmsLog } from '../store/sandbox-sms';
import { dynamoSessionStore } from '../store/sessions';
import { dynamoCodeStore } from '../store/sms-codes';
import { dynamoUserStore } from '../store/users';
import type { AccountDeps } from './account';
import type { MemberDeps } from './members';
import type { SmsSender, WeChatAuth } from './ports';
import type { WeChatCallerDeps } from './wechat-caller';
import { weChatCaller } from './wechat-caller';
import { deriveKey } from './rules';
import type { SignInDeps } from './sign-in';

/** The sandbox's outbox, for `GET /dev/sms` (local stage only). */
export const sandboxOutbox = onCloudBase() ? cloudbaseSentSmsLog() : dynamoSentSmsLog();

function smsSender(): SmsSender {
  return config.smsProvider === 'tencent' ? tencentSmsSender(() => config.tencentSms) : sandboxSmsSender(sandboxOutbox);
}

function wechatAuth(): WeChatAuth {
  return config.wechatProvider === 'wechat' ? wechatWebAuth(() => config.wechat) : sandboxWeChatAuth();
}

/** Sign-in's own stores, and the reads of other domains it needs, on the configured data store. */
function stores(): Pick<SignInDeps & MemberDeps & AccountDeps, 'users' | 'members' | 'codes' | 'sessions' | 'suppliers' | 'leaders'> {
  const cloudbase = onCloudBase();
  return {
    users: cloudbase ? cloudbaseUserStore() : dynamoUserStore(),
    members: cloudbase ? cloudbaseMemberStore() : dynamoMemberStore(),
    codes: cloudbase ? cloudbaseCodeStore() : dynamoCodeStore(),
    sessions: cloudbase ? cloudbaseSessionStore() : dynamoSessionStore(),
    suppliers: catalogueStore(),
    leaders: leaderStore(),
  };
}

export function authDeps(): SignInDeps & MemberDeps & AccountDeps {
  let keys: SignInDeps['keys'] | undefined;
  return {
    ...stores(),
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
  users: onCloudBase() ? cloudbaseUserStore() : dynamoUserStore(),
  ids: randomIds,
  clock: systemClock,
});

/** On CloudBase, the caller CloudBase vouches for: a mini-program resident is the user of their WX_OPENID. */
export function miniProgramCallers(): VouchedCaller {
  const deps = weChatCallerDeps();
  return miniProgramCaller((openId) => weChatCaller(deps, openId));
}
