// The sandbox WeChat of the local stage: the code `sandbox:<openid>` stands for a user who authorized
// with that OPENID, and works any number of times. Anything else is refused, as WeChat refuses a bad code.
import type { WeChatAuth } from '../../auth/ports';
import { OpenIdSchema } from '../../../schemas/auth';

export const SANDBOX_CODE_PREFIX = 'sandbox:';

export function sandboxWeChatAuth(): WeChatAuth {
  return {
    async openIdFor(code) {
      const openId = code.startsWith(SANDBOX_CODE_PREFIX) ? code.slice(SANDBOX_CODE_PREFIX.length) : '';
      return OpenIdSchema.safeParse(openId).success ? { openId } : { invalid: 'not a sandbox code (sandbox:<openid>)' };
    },
  };
}
