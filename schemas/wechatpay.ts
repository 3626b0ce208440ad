// WeChat Pay API v3 on the wire: the notification envelope, the decrypted resources we act on, and the
// answers of the APIs we call. Only the fields we read are named; WeChat Pay may send more.
import * as z from 'zod';

/** Every notification: an envelope around an AEAD_AES_256_GCM-encrypted resource. */
export const WeChatPayNotificationSchema = z.object({
  id: z.string().min(1).max(64),
  create_time: z.string(),
  event_type: z.string().min(1).max(64),
  resource_type: z.literal('encrypt-resource'),
  resource: z.object({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1),
    associated_data: z.string().optional().default(''),
    nonce: z.string().min(1).max(64),
    original_type: z.string(),
  }),
});
export type WeChatPayNotification = z.infer<typeof WeChatPayNotificationSchema>;

/** The decrypted `transaction` of TRANSACTION.SUCCESS. */
export const WeChatPayTransactionSchema = z.object({
  mchid: z.string(),
  appid: z.string(),
  out_trade_no: z.string().min(1).max(32),
  transaction_id: z.string().min(1).max(64),
  trade_state: z.string(),
  success_time: z.string().optional(),
  amount: z.object({ total: z.number().int().min(0), currency: z.string().optional() }),
  payer: z.object({ openid: z.string() }).partial().optional(),
});
export type WeChatPayTransaction = z.infer<typeof WeChatPayTransactionSchema>;

/** The decrypted `refund` of REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED. */
export const WeChatPayRefundResourceSchema = z.object({
  mchid: z.string(),
  out_trade_no: z.string(),
  transaction_id: z.string().optional(),
  out_refund_no: z.string().min(1).max(64),
  refund_id: z.string(),
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL', 'PROCESSING']),
  success_time: z.string().optional(),
  amount: z.object({ total: z.number().int(), refund: z.number().int() }),
});
export type WeChatPayRefundResource = z.infer<typeof WeChatPayRefundResourceSchema>;

/** The decrypted `mch_payment` of MCHTRANSFER.BILL.FINISHED (商家转账). The merchant field is spelt both ways in the wild. */
export const WeChatPayTransferResourceSchema = z.object({
  mch_id: z.string().optional(),
  mchid: z.string().optional(),
  out_bill_no: z.string().min(1).max(32),
  transfer_bill_no: z.string(),
  state: z.string(),
  transfer_amount: z.number().int(),
  openid: z.string().optional(),
  fail_reason: z.string().optional(),
  update_time: z.string().optional(),
});
export type WeChatPayTransferResource = z.infer<typeof WeChatPayTransferResourceSchema>;

export const WeChatPayPrepaySchema = z.object({ prepay_id: z.string().min(1) });

export const WeChatPayRefundSchema = z.object({
  refund_id: z.string(),
  out_refund_no: z.string(),
  status: z.enum(['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL']),
});

/** 商家转账 states: ACCEPTED, PROCESSING, WAIT_USER_CONFIRM, TRANSFERING, SUCCESS, FAIL, CANCELING, CANCELLED. */
export const WeChatPayTransferBillSchema = z.object({
  out_bill_no: z.string(),
  transfer_bill_no: z.string(),
  state: z.string(),
  package_info: z.string().optional(),
  fail_reason: z.string().optional(),
});
export type WeChatPayTransferBill = z.infer<typeof WeChatPayTransferBillSchema>;

/** What WeChat Pay answers when it refuses a request. */
export const WeChatPayErrorSchema = z.object({ code: z.string(), message: z.string().optional() });

/**
 * The parameters of `WeixinJSBridge.invoke('getBrandWCPayRequest', …)`, which take the money in WeChat: what
 * `POST /orders/{id}/payment` answers under `jsapi` (the payments port builds them, the resident's page uses them).
 */
export const JsapiParamsSchema = z.object({
  appId: z.string(),
  timeStamp: z.string(),
  nonceStr: z.string(),
  package: z.string(),
  signType: z.literal('RSA'),
  paySign: z.string(),
});
export type JsapiParams = z.infer<typeof JsapiParamsSchema>;
