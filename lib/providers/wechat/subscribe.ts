// WeChat subscribe messages (订阅消息) as a notifications channel. The official account's (服务号) 订阅通知
// are sent with `POST /cgi-bin/message/subscribe/bizsend?access_token=…` (our OPENIDs come from its web
// authorization, so they are its OPENIDs); a mini-program's 订阅消息 with `/cgi-bin/message/subscribe/send`
// and its own OPENIDs (WECHAT_SUBSCRIBE_API=send). Both take `{touser, template_id, data: {thing1: {value}}}`
// and answer `{errcode, errmsg}`. The access token comes from `POST /cgi-bin/stable_token` (the stable
// token: asking again within its validity returns the same one, so several functions fetching it never
// invalidate each other's), kept per process until five minutes before it expires.
import * as z from 'zod';
import type { MessageChannel } from '../../notifications/ports';
import type { TemplateName } from '../../../schemas/notifications';

export type SubscribeApi = 'bizsend' | 'send';

export interface WeChatSubscribeSettings {
  appId: string;
  secret: string;
  /** `https://api.weixin.qq.com`; tests point it at a stand-in. */
  baseUrl: string;
  api: SubscribeApi;
  /** The template id (in the account's 订阅通知 / 订阅消息 settings) of each message; one without is not sent. */
  templates: Partial<Record<TemplateName, string>>;
}

const TokenSchema = z.object({
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  errcode: z.number().optional(),
  errmsg: z.string().optional(),
});
const SendSchema = z.object({ errcode: z.number().optional(), errmsg: z.string().optional() });

/** The access token is invalid or expired: fetch it again and retry once. */
const TOKEN_REFUSED = new Set([40001, 40014, 42001]);
/**
 * About the person, not about us: they did not accept this template (or used up their one-time
 * subscription), the OPENID is not of this app, they do not follow the account, or the content was
 * refused as sensitive. Sending again will not help; SMS may.
 */
const PERSON_REFUSED = new Set([43101, 40003, 43004, 45168]);

export class WeChatSubscribeError extends Error {
  override name = 'WeChatSubscribeError';
}

interface Options {
  fetch?: typeof fetch;
  /** Milliseconds. */
  now?: () => number;
  timeoutMs?: number;
}

export function wechatSubscribeChannel(settings: () => WeChatSubscribeSettings, options: Options = {}): MessageChannel {
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 5000);
  let cached: { token: string; until: number } | undefined;

  async function accessToken(s: WeChatSubscribeSettings): Promise<string> {
    if (cached && cached.until > now()) return cached.token;
    const res = await send(`${s.baseUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credential', appid: s.appId, secret: s.secret }),
      signal: timeout(),
    });
    // Never put the request in an error: it carries the app secret.
    const parsed = TokenSchema.safeParse(await res.json().catch(() => undefined));
    if (!res.ok || !parsed.success) throw new WeChatSubscribeError(`stable_token answered ${res.status} with an unexpected body`);
    const { access_token, expires_in, errcode } = parsed.data;
    if (errcode || !access_token) throw new WeChatSubscribeError(`stable_token failed: errcode ${errcode ?? '(none)'}`);
    cached = { token: access_token, until: now() + Math.max(0, (expires_in ?? 7200) - 300) * 1000 };
    return access_token;
  }

  return {
    async send(message) {
      const s = settings();
      const templateId = s.templates[message.template];
      if (!templateId) return { unavailable: `no WeChat template configured for ${message.template}` };
      const body = JSON.stringify({
        touser: message.to,
        template_id: templateId,
        // The official account opens a web page of ours; a mini-program one of its pages (none here).
        ...(s.api === 'bizsend' && message.link ? { page: message.link } : {}),
        ...(s.api === 'send' ? { miniprogram_state: 'formal', lang: 'zh_CN' } : {}),
        data: message.wechatData,
      });
      for (let attempt = 1; ; attempt++) {
        const token = await accessToken(s);
        const res = await send(`${s.baseUrl}/cgi-bin/message/subscribe/${s.api}?access_token=${encodeURIComponent(token)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: timeout(),
        });
        const parsed = SendSchema.safeParse(await res.json().catch(() => undefined));
        if (!res.ok || !parsed.success) throw new WeChatSubscribeError(`subscribe/${s.api} answered ${res.status} with an unexpected body`);
        const errcode = parsed.data.errcode ?? 0;
        if (errcode === 0) return 'sent';
        if (TOKEN_REFUSED.has(errcode) && attempt === 1) {
          cached = undefined;
          continue;
        }
        if (PERSON_REFUSED.has(errcode)) return { unavailable: `subscribe/${s.api}: errcode ${errcode}` };
        throw new WeChatSubscribeError(`subscribe/${s.api} failed: errcode ${errcode}`);
      }
    },
  };
}
