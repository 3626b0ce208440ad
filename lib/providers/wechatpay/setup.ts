// Builds the WeChat Pay adapters from settings. Nothing is read until the first call, and then once: a
// stage that never pays through WeChat Pay never needs its keys.
import type { WeChatPayClient } from './client';
import { wechatPayClient } from './client';
import type { WeChatPayMerchant } from './payments';
import { wechatPayPayments } from './payments';
import { privateKeyOf, publicKeyOf } from './signing';
import { wechatPayTransfers } from './transfers';

export interface WeChatPaySettings {
  mchid: string;
  appid: string;
  apiV3Key: string;
  merchantSerial: string;
  /** PEM. */
  merchantPrivateKey: string;
  publicKeyId: string;
  /** PEM. */
  publicKey: string;
  baseUrl: string;
  transferSceneId: string;
  /** The API's public address, for notify_url. */
  publicUrl: string;
}

export interface WeChatPay {
  client: WeChatPayClient;
  merchant: () => WeChatPayMerchant & { transferSceneId: string };
  payments: ReturnType<typeof wechatPayPayments>;
  transfers: ReturnType<typeof wechatPayTransfers>;
}

export function wechatPayFrom(settings: () => WeChatPaySettings, options: { fetch?: typeof fetch; now?: () => Date } = {}): WeChatPay {
  let resolved: (WeChatPayMerchant & { transferSceneId: string; baseUrl: string }) | undefined;
  const merchant = () => {
    if (resolved) return resolved;
    const s = settings();
    const wechatPay = { id: s.publicKeyId, key: publicKeyOf(s.publicKey) };
    resolved = {
      mchid: s.mchid,
      appid: s.appid,
      merchant: { mchid: s.mchid, serial: s.merchantSerial, privateKey: privateKeyOf(s.merchantPrivateKey) },
      keys: { wechatPay, apiV3Key: s.apiV3Key },
      publicUrl: s.publicUrl,
      transferSceneId: s.transferSceneId,
      baseUrl: s.baseUrl,
    };
    return resolved;
  };
  const client = wechatPayClient(() => {
    const m = merchant();
    return { merchant: m.merchant, wechatPay: m.keys.wechatPay, baseUrl: m.baseUrl };
  }, options);
  return {
    client,
    merchant,
    payments: wechatPayPayments(client, merchant, options.now),
    transfers: wechatPayTransfers(client, merchant, options.now),
  };
}
