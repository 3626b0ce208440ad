// WeChat Pay API v3's cryptography, on node:crypto alone: request signatures (merchant key), signatures
// of responses and notifications (WeChat Pay public key), AEAD_AES_256_GCM resources, JSAPI paySign.
import type { KeyObject } from 'node:crypto';
import {
  constants,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import type { JsapiParams } from '../../payments/provider';

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';
/** WeChat Pay refuses, and we refuse, a signed message whose timestamp is further off than this. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random string of letters and digits (32 by default, as WeChat Pay's own SDKs use). */
export function nonce(length = 32): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (let i = 0; i < bytes.length && out.length < length; i++) if (bytes[i]! < 248) out += ALPHANUMERIC[bytes[i]! % 62];
  return out.length === length ? out : nonce(length);
}

/** Lines joined by `\n`, with the trailing `\n` WeChat Pay's signed messages end with. */
export const signedMessage = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

export const privateKeyOf = (pem: string | KeyObject): KeyObject => (typeof pem === 'string' ? createPrivateKey(pem) : pem);
export const publicKeyOf = (pem: string | KeyObject): KeyObject => (typeof pem === 'string' ? createPublicKey(pem) : pem);

/** SHA256 with RSA (PKCS#1 v1.5), base64. */
export function rsaSign(message: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(privateKey, 'base64');
}

export function rsaVerify(message: string, signature: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

export interface MerchantCredentials {
  mchid: string;
  /** The serial number of the merchant API certificate whose private key signs our requests. */
  serial: string;
  privateKey: KeyObject;
}

/** The `Authorization` header of a request: the signature over `METHOD\nURL\ntimestamp\nnonce\nbody\n`. */
export function authorization(
  merchant: MerchantCredentials,
  request: { method: string; pathAndQuery: string; body: string },
  timestamp: number,
  nonceStr: string,
): string {
  const signature = rsaSign(
    signedMessage(request.method.toUpperCase(), request.pathAndQuery, String(timestamp), nonceStr, request.body),
    merchant.privateKey,
  );
  return `${AUTH_SCHEMA} mchid="${merchant.mchid}",nonce_str="${nonceStr}",signature="${signature}",timestamp="${timestamp}",serial_no="${merchant.serial}"`;
}

export interface WeChatPayKey {
  /** `PUB_KEY_ID_…`: what WeChat Pay sends in `Wechatpay-Serial`. */
  id: string;
  key: KeyObject;
}

export type SignatureCheck = 'ok' | 'missing' | 'unknown_serial' | 'stale' | 'bad_signature';

/**
 * Checks a message WeChat Pay signed (a response or a notification): the signature over
 * `timestamp\nnonce\nbody\n` by the public key named in `Wechatpay-Serial`, and a timestamp within 5 minutes.
 * `headers` have lower-case names.
 */
export function checkWeChatPaySignature(
  headers: Record<string, string | undefined>,
  body: string,
  wechatPay: WeChatPayKey,
  now: Date,
): SignatureCheck {
  const timestamp = headers['wechatpay-timestamp'];
  const nonceStr = headers['wechatpay-nonce'];
  const signature = headers['wechatpay-signature'];
  const serial = headers['wechatpay-serial'];
  if (!timestamp || !nonceStr || !signature || !serial) return 'missing';
  if (serial !== wechatPay.id) return 'unknown_serial';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return 'stale';
  return rsaVerify(signedMessage(timestamp, nonceStr, body), signature, wechatPay.key) ? 'ok' : 'bad_signature';
}

export interface EncryptedResource {
  ciphertext: string;
  associated_data?: string;
  nonce: string;
}

/** AEAD_AES_256_GCM: key = the APIv3 key, IV = `nonce`, AAD = `associated_data`; the tag is the last 16 bytes. Throws if altered. */
export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= 16) throw new Error('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

/** A sensitive field (a payee's name) encrypted for WeChat Pay: RSA-OAEP (SHA-1) with its public key, base64. */
export function encryptSensitive(plaintext: string, publicKey: KeyObject): string {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(plaintext, 'utf8'),
  ).toString('base64');
}

/** The parameters of `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`: paySign over `appId\ntimeStamp\nnonceStr\npackage\n`. */
export function jsapiParams(appId: string, prepayId: string, privateKey: KeyObject, timestamp: number, nonceStr = nonce()): JsapiParams {
  const pkg = `prepay_id=${prepayId}`;
  const timeStamp = String(timestamp);
  return {
    appId,
    timeStamp,
    nonceStr,
    package: pkg,
    signType: 'RSA',
    paySign: rsaSign(signedMessage(appId, timeStamp, nonceStr, pkg), privateKey),
  };
}
