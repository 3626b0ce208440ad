// A resident calling from the WeChat mini-program, whose OPENID the platform itself vouches for (CloudBase puts
// the caller's WX_OPENID in the function's context; no client can write it): the user bound to that OPENID,
// found or created by the very rule a WeChat web sign-in uses, with no token and no sign-in step.
import type { Principal } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import type { UserStore } from './ports';
import { userOf } from './sign-in';

export interface WeChatCallerDeps {
  users: Pick<UserStore, 'findByPhone' | 'findByOpenId' | 'create'>;
  ids: Ids;
  clock: Clock;
}

/**
 * The principal of a mini-program caller. It holds no role: operators and suppliers act with the tokens their
 * phone sign-in gives (roles are granted there, from the platform's records), never on an OPENID alone.
 */
export async function weChatCaller(deps: WeChatCallerDeps, openId: string): Promise<Principal> {
  const user = await userOf(deps, { openId }, deps.clock.now());
  return { userId: user.userId, roles: [] };
}
