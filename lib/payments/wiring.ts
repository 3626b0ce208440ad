// The payment provider of this stage, chosen by PAYMENT_PROVIDER: the sandbox (the local stage's default)
// or WeChat Pay (every other stage's). The sandbox refuses to work outside the local stage, so that no
// deployed stage can pretend to have taken or returned money. The stores are those DATA_STORE names
// (DynamoDB, or CloudBase's document database in the CloudBase build).
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { cloudbaseSandboxLedger } from '../adapters/cloudbase/sandbox-payments';
import { cloudbaseWeChatIdentities } from '../adapters/cloudbase/wechat-identities';
import { wechatPayFrom } from '../providers/wechatpay/setup';
import { systemClock } from '../runtime/clock';
import { config, onCloudBase } from '../runtime/config';
import { dynamoOrderStore } from '../store/orders';
import { dynamoSandboxLedger } from '../store/sandbox-payments';
import { dynamoWeChatIdentities } from '../store/wechat-identities';
import type { PaymentDeps } from './payments';
import type { PaymentProvider, WeChatIdentities } from './provider';
import { sandboxPaymentProvider } from './sandbox';

export const sandbox = sandboxPaymentProvider(
  () => config.paymentWebhookSecret,
  onCloudBase() ? cloudbaseSandboxLedger() : dynamoSandboxLedger(),
);

/** WeChat Pay, built from the WECHATPAY_* settings on first use. */
export const wechatPay = wechatPayFrom(() => {
  // Getters: each secret is read, and checked, here, on first use.
  const w = config.wechatPay;
  return {
    mchid: w.mchid,
    appid: w.appid,
    apiV3Key: w.apiV3Key,
    merchantSerial: w.merchantSerial,
    merchantPrivateKey: w.merchantPrivateKey,
    publicKeyId: w.publicKeyId,
    publicKey: w.publicKey,
    baseUrl: w.baseUrl,
    transferSceneId: w.transferSceneId,
    publicUrl: config.publicUrl,
  };
});

const sandboxOutsideLocal: PaymentProvider = {
  name: 'sandbox',
  needsOpenId: false,
  checkout: async () => {
    throw new Error(`PAYMENT_PROVIDER=sandbox is for the local stage only (stage ${config.stage})`);
  },
  refund: async (request) => {
    throw new Error(`PAYMENT_PROVIDER=sandbox is for the local stage only: refund ${request.refundId} not sent`);
  },
};

export const usesWeChatPay = config.paymentProvider === 'wechatpay';
export const usesSandbox = config.paymentProvider === 'sandbox' && config.isLocal;

export const paymentProvider: PaymentProvider = usesWeChatPay ? wechatPay.payments : config.isLocal ? sandbox : sandboxOutsideLocal;

/** Who pays: the WeChat OPENIDs users signed in with, on the configured data store. */
export const wechatIdentities = (): WeChatIdentities => (onCloudBase() ? cloudbaseWeChatIdentities() : dynamoWeChatIdentities());

export const paymentDeps = (): PaymentDeps => ({
  orders: onCloudBase() ? cloudbaseOrderStore() : dynamoOrderStore(),
  provider: paymentProvider,
  identities: wechatIdentities(),
  clock: systemClock,
});
