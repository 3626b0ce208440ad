// Tencent Cloud SMS (短信, API 3.0 `SendSms`, version 2021-01-11): texts a sign-in code through an
// approved signature (签名) and template (模板). The template takes two parameters: {1} the code and
// {2} the minutes it is valid. Requests are signed with TC3-HMAC-SHA256 (./tc3.ts).
import * as z from 'zod';
import type { SmsSender } from '../../auth/ports';
import { rateLimited } from '../../runtime/errors';
import { tc3Signature } from './tc3';

export interface TencentSmsSettings {
  secretId: string;
  secretKey: string;
  /** SmsSdkAppId: the SMS application in the console. */
  sdkAppId: string;
  /** SignName: the approved signature, e.g. 邻里团. */
  signName: string;
  templateId: string;
  /** `ap-guangzhou`, `ap-beijing` or `ap-nanjing`. */
  region: string;
  /** `https://sms.tencentcloudapi.com`; tests point it at a stand-in. */
  endpoint: string;
}

export const SMS_SERVICE = 'sms';
export const SMS_VERSION = '2021-01-11';
const CONTENT_TYPE = 'application/json; charset=utf-8';

const ResponseSchema = z.object({
  Response: z.object({
    RequestId: z.string().optional(),
    Error: z.object({ Code: z.string(), Message: z.string().optional() }).optional(),
    SendStatusSet: z.array(z.object({ Code: z.string(), Message: z.string().optional(), PhoneNumber: z.string().optional() })).optional(),
  }),
});

/** Tencent's own per-phone frequency limits (set in its console) surface as our 429, with its window. */
const PROVIDER_LIMITS: Record<string, number> = {
  'LimitExceeded.PhoneNumberThirtySecondLimit': 30,
  'LimitExceeded.PhoneNumberOneHourLimit': 3600,
  'LimitExceeded.PhoneNumberDailyLimit': 86_400,
  'LimitExceeded.PhoneNumberSameContentDailyLimit': 86_400,
};

export class TencentSmsError extends Error {
  override name = 'TencentSmsError';
}

export interface TencentSmsOptions {
  fetch?: typeof fetch;
  /** Unix seconds. */
  now?: () => number;
  timeoutMs?: number;
}

/** The account part of the settings: what every text needs, whichever template it uses. */
export type TencentSmsAccount = Omit<TencentSmsSettings, 'templateId'>;

/** What SendSms answered for the one phone: `Ok`, or Tencent's code for why it did not send. */
export interface SendStatus {
  code: string;
  requestId: string;
}

/**
 * One SendSms call for one phone and one approved template with its values (TemplateParamSet), signed
 * with TC3-HMAC-SHA256. Throws TencentSmsError when the request itself was refused (a bad signature,
 * a wrong account, an unexpected answer); otherwise returns the phone's send status.
 */
export async function sendSms(
  s: TencentSmsAccount,
  phone: string,
  templateId: string,
  params: readonly string[],
  options: TencentSmsOptions = {},
): Promise<SendStatus> {
  const send = options.fetch ?? fetch;
  const url = new URL(s.endpoint);
  const payload = JSON.stringify({
    PhoneNumberSet: [`+86${phone}`],
    SmsSdkAppId: s.sdkAppId,
    SignName: s.signName,
    TemplateId: templateId,
    TemplateParamSet: params,
  });
  const timestamp = (options.now ?? (() => Math.floor(Date.now() / 1000)))();
  const { authorization } = tc3Signature({
    secretId: s.secretId,
    secretKey: s.secretKey,
    service: SMS_SERVICE,
    host: url.host,
    contentType: CONTENT_TYPE,
    payload,
    timestamp,
  });
  const res = await send(url, {
    method: 'POST',
    headers: {
      authorization,
      'content-type': CONTENT_TYPE,
      'x-tc-action': 'SendSms',
      'x-tc-version': SMS_VERSION,
      'x-tc-timestamp': String(timestamp),
      'x-tc-region': s.region,
    },
    body: payload,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  const parsed = ResponseSchema.safeParse(await res.json().catch(() => undefined));
  if (!res.ok || !parsed.success) throw new TencentSmsError(`SendSms answered ${res.status} with an unexpected body`);
  const { Error: error, SendStatusSet, RequestId } = parsed.data.Response;
  if (error) throw new TencentSmsError(`SendSms refused: ${error.Code} (request ${RequestId ?? '?'})`);
  const status = SendStatusSet?.[0];
  if (!status) throw new TencentSmsError(`SendSms answered without a send status (request ${RequestId ?? '?'})`);
  return { code: status.Code, requestId: RequestId ?? '?' };
}

/** Settings are read at the first text, so a stage that never texts does not need them. */
export function tencentSmsSender(settings: () => TencentSmsSettings, options: TencentSmsOptions = {}): SmsSender {
  return {
    async sendCode(phone, code, validMinutes) {
      const s = settings();
      const status = await sendSms(s, phone, s.templateId, [code, String(validMinutes)], options);
      if (status.code === 'Ok') return;
      const window = PROVIDER_LIMITS[status.code];
      if (window) throw rateLimited(window);
      throw new TencentSmsError(`SendSms did not send: ${status.code} (request ${status.requestId})`);
    },
  };
}
