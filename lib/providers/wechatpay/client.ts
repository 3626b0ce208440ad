// The WeChat Pay API v3 HTTP client: every request signed with the merchant key, every successful
// answer's signature checked with the WeChat Pay public key before it is believed.
import type { z } from 'zod';
import { WeChatPayErrorSchema } from '../../../schemas/wechatpay';
import type { MerchantCredentials, WeChatPayKey } from './signing';
import { authorization, checkWeChatPaySignature, nonce } from './signing';

export interface WeChatPayClientSettings {
  merchant: MerchantCredentials;
  wechatPay: WeChatPayKey;
  /** `https://api.mch.weixin.qq.com`, or a stand-in's address in tests. */
  baseUrl: string;
  timeoutMs?: number;
}

/** WeChat Pay answered with an error (its `code`, e.g. `NOT_ENOUGH`, `INVALID_REQUEST`), or answered something we can't trust. */
export class WeChatPayError extends Error {
  override name = 'WeChatPayError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface WeChatPayClient {
  request<T>(
    method: 'GET' | 'POST',
    pathAndQuery: string,
    body: unknown,
    schema: z.ZodType<T>,
    headers?: Record<string, string>,
  ): Promise<T>;
}

/** `settings` is read at each request (not when built), so a stage without WeChat Pay never needs its keys. */
export function wechatPayClient(
  settings: () => WeChatPayClientSettings,
  options: { fetch?: typeof fetch; now?: () => Date } = {},
): WeChatPayClient {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? (() => new Date());
  return {
    async request(method, pathAndQuery, body, schema, headers = {}) {
      const s = settings();
      const payload = body === undefined ? '' : JSON.stringify(body);
      const timestamp = Math.floor(now().getTime() / 1000);
      const res = await doFetch(`${s.baseUrl}${pathAndQuery}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(payload ? { 'content-type': 'application/json' } : {}),
          'user-agent': 'tuangou-wechatpay/1',
          authorization: authorization(s.merchant, { method, pathAndQuery, body: payload }, timestamp, nonce()),
          ...headers,
        },
        ...(payload ? { body: payload } : {}),
        signal: AbortSignal.timeout(s.timeoutMs ?? 8000),
      });
      const text = await res.text();
      if (!res.ok) {
        // Not acted upon beyond failing the call, so an unsigned error answer is good enough to report.
        const parsed = safeJson(text);
        const error = WeChatPayErrorSchema.safeParse(parsed);
        const code = error.success ? error.data.code : `HTTP_${res.status}`;
        throw new WeChatPayError(
          `${method} ${pathAndQuery}: ${res.status} ${code} ${error.success ? (error.data.message ?? '') : ''}`.trim(),
          res.status,
          code,
        );
      }
      const responseHeaders: Record<string, string> = {};
      res.headers.forEach((value, name) => (responseHeaders[name.toLowerCase()] = value));
      const check = checkWeChatPaySignature(responseHeaders, text, s.wechatPay, now());
      if (check !== 'ok')
        throw new WeChatPayError(`${method} ${pathAndQuery}: response signature ${check}`, res.status, 'RESPONSE_NOT_VERIFIED');
      const parsed = schema.safeParse(text === '' ? {} : safeJson(text));
      if (!parsed.success)
        throw new WeChatPayError(`${method} ${pathAndQuery}: unexpected answer ${text.slice(0, 200)}`, res.status, 'UNEXPECTED_ANSWER');
      return parsed.data;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
