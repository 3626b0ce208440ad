// Imported first by tests that pay through WeChat Pay: PAYMENT_PROVIDER=wechatpay with key pairs made
// here (the merchant's, and WeChat Pay's own), set before any module reads the configuration. The
// stand-in's address is set once it listens (WeChat Pay settings are read on first use).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeyPair, pemOf, WeChatPayStandIn } from './wechatpay-standin';

export const merchantKeys = newKeyPair();
export const wechatPayKeys = newKeyPair();

export const identity = {
  mchid: '1900009191',
  appid: 'wxd678efh567hg6787',
  apiV3Key: 'a7cde1ef52f9b8a3d2b7c9e0f1a2b3c4',
  merchantSerial: '3775B6A45ACD588826D15E583A95F5DD00000001',
  publicKeyId: 'PUB_KEY_ID_0114232134912410000000000000001',
};

// The WeChat Pay public key is given as a .pem path, the merchant key as PEM text: both forms are accepted.
const dir = mkdtempSync(join(tmpdir(), 'wechatpay-test-'));
const publicKeyPath = join(dir, 'pub_key.pem');
writeFileSync(publicKeyPath, pemOf(wechatPayKeys.publicKey));

Object.assign(process.env, {
  PAYMENT_PROVIDER: 'wechatpay',
  WECHATPAY_MCHID: identity.mchid,
  WECHATPAY_APPID: identity.appid,
  WECHATPAY_APIV3_KEY: identity.apiV3Key,
  WECHATPAY_MERCHANT_SERIAL: identity.merchantSerial,
  WECHATPAY_MERCHANT_PRIVATE_KEY: pemOf(merchantKeys.privateKey),
  WECHATPAY_PUBLIC_KEY_ID: identity.publicKeyId,
  WECHATPAY_PUBLIC_KEY: publicKeyPath,
});

/** Starts the stand-in and points WECHATPAY_BASE_URL at it. */
export async function startWeChatPayStandIn(): Promise<WeChatPayStandIn> {
  const standIn = new WeChatPayStandIn({ ...identity, merchantPublicKey: merchantKeys.publicKey, wechatPay: wechatPayKeys });
  process.env.WECHATPAY_BASE_URL = await standIn.start();
  return standIn;
}
