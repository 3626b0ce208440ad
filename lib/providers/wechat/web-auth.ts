// WeChat web authorization (网页授权, snsapi_base) of an official account: the code WeChat appends to our
// redirect is exchanged, server to server, for the user's OPENID. The response's access token is not
// needed by snsapi_base and is dropped.
import * as z from 'zod';
import type { WeChatAuth } from '../../auth/ports';
import { OpenIdSchema } from '../../../schemas/auth';

export interface WeChatSettings {
  appId: string;
  secret: string;
  /** `https://api.weixin.qq.com`; tests point it at a stand-in. */
  baseUrl: string;
}

const ResponseSchema = z.object({
  openid: OpenIdSchema.optional(),
  is_snapshotuser: z.number().optional(),
  errcode: z.number().optional(),
  errmsg: z.string().optional(),
});

/** The codes WeChat gives for a code that is wrong, used, expired or missing: the user's problem, a 401. */
const REFUSED_CODES = new Set([40029, 40163, 41008]);

export class WeChatAuthError extends Error {
  override name = 'WeChatAuthError';
}

export function wechatWebAuth(settings: () => WeChatSettings, options: { fetch?: typeof fetch; timeoutMs?: number } = {}): WeChatAuth {
  const send = options.fetch ?? fetch;
  return {
    async openIdFor(code) {
      const s = settings();
      const url = new URL(`${s.baseUrl}/sns/oauth2/access_token`);
      url.search = new URLSearchParams({ appid: s.appId, secret: s.secret, code, grant_type: 'authorization_code' }).toString();
      const res = await send(url, { method: 'GET', signal: AbortSignal.timeout(options.timeoutMs ?? 5000) });
      // Never put the URL in an error: it carries the app secret.
      const parsed = ResponseSchema.safeParse(await res.json().catch(() => undefined));
      if (!res.ok || !parsed.success) throw new WeChatAuthError(`oauth2/access_token answered ${res.status} with an unexpected body`);
      const { openid, errcode, is_snapshotuser } = parsed.data;
      if (errcode) {
        if (REFUSED_CODES.has(errcode)) return { invalid: `WeChat refused the code (${errcode})` };
        throw new WeChatAuthError(`oauth2/access_token failed: errcode ${errcode}`);
      }
      // 快照页模式: a virtual account for a page viewed as a snapshot, not a real user to sign in.
      if (is_snapshotuser === 1) return { invalid: 'snapshot-mode visitor; open the page fully to sign in' };
      if (!openid) throw new WeChatAuthError('oauth2/access_token answered without an openid');
      return { openId: openid };
    },
  };
}
