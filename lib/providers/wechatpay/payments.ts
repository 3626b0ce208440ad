// WeChat Pay behind the payment ports: JSAPI prepay (with the order's deadline as time_expire), domestic
// refunds by our refundId, and the payment and refund notifications, checked to be for our merchant and app.
import { toBusinessIso } from '../../runtime/time';
import { conflict } from '../../runtime/errors';
import {
  WeChatPayPrepaySchema,
  WeChatPayRefundResourceSchema,
  WeChatPayRefundSchema,
  WeChatPayTransactionSchema,
} from '../../../schemas/wechatpay';
import type { PaymentNotifications, PaymentProvider } from '../../payments/provider';
import type { WeChatPayClient } from './client';
import { WeChatPayError } from './client';
import type { NotificationKeys } from './notifications';
import { notificationOpener } from './notifications';
import type { MerchantCredentials } from './signing';
import { jsapiParams, nonce } from './signing';

export interface WeChatPayMerchant {
  mchid: string;
  appid: string;
  merchant: MerchantCredentials;
  keys: NotificationKeys;
  /** Where WeChat Pay sends notifications: the API's public address. */
  publicUrl: string;
}

export const PAYMENT_NOTIFY_PATH = '/payments/wechatpay/notify';
export const REFUND_NOTIFY_PATH = '/payments/wechatpay/refund-notify';

/** RFC 3339 in Beijing time, to the second (`2026-11-30T20:15:00+08:00`), as WeChat Pay writes times. */
export function wechatPayTime(iso: string): string {
  return toBusinessIso(new Date(Math.floor(Date.parse(iso) / 1000) * 1000)).replace(/\.\d{3}\+/, '+');
}

/** WeChat Pay's answers to a prepay of an order that can no longer be paid. */
const ORDER_NOT_PAYABLE = new Set(['ORDERPAID', 'ORDER_CLOSED', 'ORDERCLOSED']);

export function wechatPayPayments(
  client: WeChatPayClient,
  m: () => WeChatPayMerchant,
  now: () => Date = () => new Date(),
): PaymentProvider & PaymentNotifications {
  const open = notificationOpener(m, now);
  return {
    name: 'wechatpay',
    needsOpenId: true,

    async checkout(request) {
      const s = m();
      let prepay;
      try {
        prepay = await client.request(
          'POST',
          '/v3/pay/transactions/jsapi',
          {
            appid: s.appid,
            mchid: s.mchid,
            description: request.description,
            out_trade_no: request.orderId,
            // WeChat Pay refuses payment after the order's own deadline: no late money to return.
            time_expire: wechatPayTime(request.expiresAt),
            notify_url: `${s.publicUrl}${PAYMENT_NOTIFY_PATH}`,
            amount: { total: request.amountFen, currency: 'CNY' },
            payer: { openid: request.payerOpenId },
          },
          WeChatPayPrepaySchema,
        );
      } catch (err) {
        if (err instanceof WeChatPayError && ORDER_NOT_PAYABLE.has(err.code))
          throw conflict(`WeChat Pay: the order can no longer be paid (${err.code})`);
        throw err;
      }
      return {
        provider: 'wechatpay',
        jsapi: jsapiParams(s.appid, prepay.prepay_id, s.merchant.privateKey, Math.floor(now().getTime() / 1000), nonce()),
      };
    },

    async refund(request) {
      const s = m();
      const res = await client.request(
        'POST',
        '/v3/refund/domestic/refunds',
        {
          transaction_id: request.paymentId,
          out_refund_no: request.refundId,
          reason: request.reason.slice(0, 80),
          notify_url: `${s.publicUrl}${REFUND_NOTIFY_PATH}`,
          amount: { refund: request.amountFen, total: request.paymentAmountFen, currency: 'CNY' },
        },
        WeChatPayRefundSchema,
      );
      if (res.status === 'SUCCESS') return { status: 'succeeded' };
      if (res.status === 'PROCESSING') return { status: 'submitted', providerRefundId: res.refund_id };
      return { status: 'failed', reason: `WeChat Pay refund ${res.refund_id} is ${res.status}` };
    },

    openPayment: open({
      eventTypes: ['TRANSACTION.SUCCESS'],
      schema: WeChatPayTransactionSchema,
      read: (t, s) => {
        if (t.mchid !== s.mchid || t.appid !== s.appid) return { kind: 'refused', status: 400, message: 'Not our merchant or app' };
        if (t.trade_state !== 'SUCCESS') return { kind: 'ignored', why: `trade_state ${t.trade_state}` };
        return {
          kind: 'event',
          event: {
            orderId: t.out_trade_no,
            paymentId: t.transaction_id,
            amountFen: t.amount.total,
            paidAt: new Date(t.success_time ? Date.parse(t.success_time) : now().getTime()).toISOString(),
          },
        };
      },
    }),

    openRefundResult: open({
      eventTypes: ['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'],
      schema: WeChatPayRefundResourceSchema,
      read: (r, s) => {
        if (r.mchid !== s.mchid) return { kind: 'refused', status: 400, message: 'Not our merchant' };
        if (r.refund_status === 'PROCESSING') return { kind: 'ignored', why: 'still processing' };
        return {
          kind: 'event',
          event: {
            orderId: r.out_trade_no,
            refundId: r.out_refund_no,
            status: r.refund_status === 'SUCCESS' ? 'succeeded' : 'failed',
            amountFen: r.amount.refund,
            ...(r.refund_status === 'SUCCESS' ? {} : { detail: `WeChat Pay refund ${r.refund_id} is ${r.refund_status}` }),
          },
        };
      },
    }),
  };
}
