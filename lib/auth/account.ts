// Who the caller is: `GET /me` (what their token grants, their masked phone, their leader record), and
// the sandbox SMS provider's outbox of the local stage (`GET /dev/sms`).
import type { LeaderStore } from '../leaders/leaders';
import { leaderView } from '../leaders/view';
import { maskPhone } from '../orders/privacy';
import type { Principal } from '../runtime/auth';
import { notFound } from '../runtime/errors';
import type { SentSmsLog, UserStore } from './ports';

export interface AccountDeps {
  users: Pick<UserStore, 'get'>;
  leaders: Pick<LeaderStore, 'getByUser'>;
}

/** The roles are those of the token (trusted until it expires); the rest is read now. */
export async function whoAmI(deps: AccountDeps, principal: Principal) {
  const [user, leader] = await Promise.all([deps.users.get(principal.userId), deps.leaders.getByUser(principal.userId)]);
  return {
    userId: principal.userId,
    roles: principal.roles,
    ...(principal.supplierId ? { supplierId: principal.supplierId } : {}),
    ...(user?.phone ? { phone: maskPhone(user.phone) } : {}),
    wechatLinked: Boolean(user?.wechatOpenId),
    ...(leader ? { leader: leaderView(leader) } : {}),
  };
}

export async function lastSandboxSms(outbox: SentSmsLog, phone: string) {
  const last = await outbox.last(phone);
  if (!last) throw notFound('Text message to that phone');
  return last;
}
