// Paying for an order, in one place. API.md's `POST /orders/{id}/payment` answers either WeChat Pay's
// JSAPI parameters (then WeixinJSBridge takes the money, and WeChat Pay's notification marks the order
// paid) or `{"provider": "sandbox"}`; until that route exists, the local stage's sandbox (`/dev/pay`).
import type { JsapiParams } from '@schemas/wechatpay';
import { ApiError, request } from './client';

type PaymentStart = { provider: 'wechatpay'; jsapi: JsapiParams } | { provider: 'sandbox' };

declare global {
  interface Window {
    WeixinJSBridge?: { invoke(name: string, params: JsapiParams, done: (res: { err_msg: string }) => void): void };
  }
}

function wechatPay(params: JsapiParams): Promise<void> {
  return new Promise((ok, fail) => {
    if (!window.WeixinJSBridge) return fail(new Error('请在微信中打开以完成支付'));
    window.WeixinJSBridge.invoke('getBrandWCPayRequest', params, (res) => {
      if (res.err_msg === 'get_brand_wcpay_request:ok') ok();
      else fail(new Error(res.err_msg.endsWith(':cancel') ? '已取消支付' : '支付未完成'));
    });
  });
}

const sandboxPay = (orderId: string) => request<{ status: string }>('POST', `/dev/pay/${encodeURIComponent(orderId)}`, { auth: false });

/** Pays the order; resolves once the provider has taken the money (the order becomes paid by its notification). */
export async function payOrder(orderId: string): Promise<void> {
  let start: PaymentStart;
  try {
    start = await request<PaymentStart>('POST', `/orders/${encodeURIComponent(orderId)}/payment`);
  } catch (err) {
    // The payment route is not deployed yet: the local sandbox stands in.
    if (err instanceof ApiError && err.status === 404 && err.message === 'No such route') {
      await sandboxPay(orderId);
      return;
    }
    throw err;
  }
  if (start.provider === 'wechatpay') await wechatPay(start.jsapi);
  else await sandboxPay(orderId);
}
