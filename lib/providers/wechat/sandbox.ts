// The sandbox WeChat of the local stage: the code `sandbox:<openid>` stands for a user who authorized
// with that OPENID, and works any number of times. Anything else is refused, as WeChat refuses a bad code.
import type { WeChatAuth } from '../../auth/ports';
import type { MessageChannel, SentMessageLog } from '../../notifications/ports';
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

/**
 * The sandbox WeChat as a notifications channel: keeps each subscribe message for `GET /dev/messages`.
 * Every sandbox user accepted every template (the real WeChat's refusals are in ./subscribe.ts's tests).
 */
export function sandboxWeChatSubscribe(log: SentMessageLog, now: () => Date = () => new Date()): MessageChannel {
  return {
    async send(message) {
      if (!OpenIdSchema.safeParse(message.to).success) return { unavailable: 'not an OPENID' };
      await log.record(message.to, { channel: 'wechat', template: message.template, text: message.text, sentAt: now().toISOString() });
      return 'sent';
    },
  };
}
