// The Tencent Cloud SMS adapter against a local stand-in of sms.tencentcloudapi.com that checks what we
// send as Tencent would: the TC3-HMAC-SHA256 signature (recomputed here from Tencent's documented
// algorithm, independently of ../tc3.ts), the common headers, the time and the SendSms body; and that
// answers in Tencent's response shapes.
import { createHash, createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppError } from '../../runtime/errors';
import { serveStandIn } from '../../../test/support/provider-standin';
import { tencentNoticeSms } from './notices';
import type { TencentSmsSettings } from './tencent';
import { tencentSmsSender, TencentSmsError } from './tencent';

const SECRET_ID = 'AKIDstandin0000000000000000000000000';
const SECRET_KEY = 'standin-secret-key-0000000000000000';

interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** Tencent's documented signing, written out again: canonical request → string to sign → derived key. */
function expectedSignature(secretKey: string, contentType: string, host: string, payload: string, timestamp: number) {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const mac = (k: string | Buffer, s: string) => createHmac('sha256', k).update(s).digest();
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const canonical = `POST\n/\n\ncontent-type:${contentType}\nhost:${host}\n\ncontent-type;host\n${sha(payload)}`;
  const toSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/sms/tc3_request\n${sha(canonical)}`;
  return {
    date,
    signature: createHmac('sha256', mac(mac(mac(`TC3${secretKey}`, date), 'sms'), 'tc3_request'))
      .update(toSign)
      .digest('hex'),
  };
}

/** A stand-in of the SendSms endpoint: refuses like Tencent (AuthFailure.*), else answers `status` for the phone. */
async function startStandIn(status: { Code: string; Message: string } = { Code: 'Ok', Message: 'send success' }) {
  const received: Received[] = [];
  const { url, close } = await serveStandIn((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const payload = Buffer.concat(chunks).toString('utf8');
      const reply = (response: Record<string, unknown>) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ Response: { ...response, RequestId: 'req-standin' } }));
      const fail = (Code: string, Message: string) => reply({ Error: { Code, Message } });

      const timestamp = Number(req.headers['x-tc-timestamp']);
      if (req.method !== 'POST' || req.url !== '/') return fail('InvalidParameter', `${req.method} ${req.url}`);
      if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11')
        return fail('InvalidAction', 'action or version');
      if (req.headers['x-tc-region'] !== 'ap-guangzhou') return fail('InvalidParameter', 'region');
      if (!Number.isInteger(timestamp) || Math.abs(timestamp - Date.now() / 1000) > 300)
        return fail('AuthFailure.SignatureExpire', 'timestamp');
      const contentType = String(req.headers['content-type']);
      const { date, signature } = expectedSignature(SECRET_KEY, contentType, String(req.headers.host), payload, timestamp);
      const expected = `TC3-HMAC-SHA256 Credential=${SECRET_ID}/${date}/sms/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`;
      if (req.headers.authorization !== expected) return fail('AuthFailure.SignatureFailure', 'signature');
      const body = JSON.parse(payload) as Record<string, unknown>;
      received.push({ headers: req.headers, body });
      reply({
        SendStatusSet: [
          { SerialNo: 'sn-1', PhoneNumber: (body.PhoneNumberSet as string[])[0], Fee: 1, SessionContext: '', IsoCode: 'CN', ...status },
        ],
      });
    });
  });
  return { endpoint: url, received, close };
}

const settings = (endpoint: string, change: Partial<TencentSmsSettings> = {}): TencentSmsSettings => ({
  secretId: SECRET_ID,
  secretKey: SECRET_KEY,
  sdkAppId: '1400006666',
  signName: '邻里团',
  templateId: '1234567',
  region: 'ap-guangzhou',
  endpoint,
  ...change,
});

/** The SendSms body our account sends to 13800000001 with a template and its values. */
const sendSms = (TemplateId: string, TemplateParamSet: string[]) => ({
  PhoneNumberSet: ['+8613800000001'],
  SmsSdkAppId: '1400006666',
  SignName: '邻里团',
  TemplateId,
  TemplateParamSet,
});

test('a code is sent as a correctly signed SendSms for +86 and the phone, with the code and its minutes', async () => {
  const standIn = await startStandIn();
  try {
    await tencentSmsSender(() => settings(standIn.endpoint)).sendCode('13800000001', '042917', 5);
    expect(standIn.received).toHaveLength(1);
    expect(standIn.received[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(standIn.received[0]!.body).toEqual(sendSms('1234567', ['042917', '5']));
  } finally {
    await standIn.close();
  }
});

test("a wrong secret key is refused by the signature check, and the error names Tencent's code, not the key", async () => {
  const standIn = await startStandIn();
  try {
    const sending = tencentSmsSender(() => settings(standIn.endpoint, { secretKey: 'not-the-key' })).sendCode('13800000001', '123456', 5);
    await expect(sending).rejects.toThrow(TencentSmsError);
    await expect(sending).rejects.toThrow(/AuthFailure\.SignatureFailure/);
    await expect(sending).rejects.not.toThrow(/not-the-key/);
    expect(standIn.received).toHaveLength(0);
  } finally {
    await standIn.close();
  }
});

test('a clock more than five minutes off is refused (the timestamp is signed and checked)', async () => {
  const standIn = await startStandIn();
  try {
    const skewed = tencentSmsSender(() => settings(standIn.endpoint), { now: () => Math.floor(Date.now() / 1000) - 600 });
    await expect(skewed.sendCode('13800000001', '123456', 5)).rejects.toThrow(/AuthFailure\.SignatureExpire/);
  } finally {
    await standIn.close();
  }
});

test("Tencent's own per-phone frequency limit is our 429 with its window; any other refusal is an error", async () => {
  const limited = await startStandIn({ Code: 'LimitExceeded.PhoneNumberThirtySecondLimit', Message: 'limit' });
  try {
    const err = await tencentSmsSender(() => settings(limited.endpoint))
      .sendCode('13800000001', '123456', 5)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', headers: { 'retry-after': '30' } });
  } finally {
    await limited.close();
  }
  const refused = await startStandIn({ Code: 'FailedOperation.TemplateIncorrectOrUnapproved', Message: 'template' });
  try {
    await expect(tencentSmsSender(() => settings(refused.endpoint)).sendCode('13800000001', '123456', 5)).rejects.toThrow(
      /FailedOperation\.TemplateIncorrectOrUnapproved/,
    );
  } finally {
    await refused.close();
  }
});

describe('notifications: each message through its own approved template', () => {
  const notice = { to: '13800000001', template: 'pickup_ready' as const, text: '…', smsParams: ['芳芳小卖部', '482913'], wechatData: {} };
  const channelAt = (endpoint: string) =>
    tencentNoticeSms(() => {
      const { templateId: _code, ...account } = settings(endpoint);
      return { ...account, templates: { pickup_ready: '2012345' } };
    });

  test('a message is a signed SendSms with its template and its values in order', async () => {
    const standIn = await startStandIn();
    try {
      await expect(channelAt(standIn.endpoint).send(notice)).resolves.toBe('sent');
      expect(standIn.received[0]!.body).toEqual(sendSms('2012345', ['芳芳小卖部', '482913']));
      // No template configured for a message: nothing is sent, another channel may carry it.
      await expect(channelAt(standIn.endpoint).send({ ...notice, template: 'refunded' })).resolves.toEqual({
        unavailable: 'no SMS template configured for refunded',
      });
      expect(standIn.received).toHaveLength(1);
    } finally {
      await standIn.close();
    }
  });

  test('a phone that unsubscribed is unavailable (no retry); a frequency limit throws (the queue retries later)', async () => {
    const blacklisted = await startStandIn({ Code: 'FailedOperation.PhoneNumberInBlacklist', Message: 'blacklist' });
    try {
      await expect(channelAt(blacklisted.endpoint).send(notice)).resolves.toEqual({
        unavailable: 'SendSms: FailedOperation.PhoneNumberInBlacklist',
      });
    } finally {
      await blacklisted.close();
    }
    const limited = await startStandIn({ Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: 'limit' });
    try {
      await expect(channelAt(limited.endpoint).send(notice)).rejects.toThrow(/LimitExceeded\.PhoneNumberDailyLimit/);
    } finally {
      await limited.close();
    }
  });
});
