// A local stand-in of WeChat Pay's API v3, for tests: it refuses any request whose Authorization is not
// the merchant's signature (checked with the merchant's public key), keeps the state WeChat Pay would
// (prepaid and paid transactions, refunds, transfer bills), answers with signed responses, and sends the
// signed, encrypted notifications WeChat Pay sends. It never trusts our code: it speaks the wire protocol.
import type { KeyObject } from 'node:crypto';
import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import * as z from 'zod';

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export const newKeyPair = (): KeyPair => generateKeyPairSync('rsa', { modulusLength: 2048 });
export const pemOf = (key: KeyObject) => key.export({ type: key.type === 'private' ? 'pkcs8' : 'spki', format: 'pem' }).toString();

export interface StandInIdentity {
  mchid: string;
  appid: string;
  apiV3Key: string;
  merchantSerial: string;
  /** The merchant's public key: the stand-in checks our request signatures with it. */
  merchantPublicKey: KeyObject;
  /** WeChat Pay's own key pair and its id (`PUB_KEY_ID_…`). */
  wechatPay: KeyPair;
  publicKeyId: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The JSON body as sent (empty for a request without one). */
  body: Record<string, unknown>;
  authorization: string;
}

// The request bodies of the three calls, with what WeChat Pay requires of each (API v3 reference); a body that
// does not parse is answered 400 PARAM_ERROR, as WeChat Pay answers it. Other fields are kept as sent.
const Text = z.string().min(1);
const Fen = z.number().int();

/** JSAPI 下单: `POST /v3/pay/transactions/jsapi`. */
const JsapiRequestSchema = z.looseObject({
  appid: Text,
  mchid: Text,
  description: Text,
  out_trade_no: Text,
  notify_url: Text,
  time_expire: z
    .string()
    .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/, 'time_expire format')
    .optional(),
  amount: z.looseObject({ total: Fen.min(1) }),
  payer: z.looseObject({ openid: Text }),
});

/** 退款申请: `POST /v3/refund/domestic/refunds`. */
const RefundRequestSchema = z.looseObject({
  transaction_id: Text.optional(),
  out_trade_no: Text.optional(),
  out_refund_no: Text,
  notify_url: Text.optional(),
  amount: z.looseObject({ refund: Fen.min(1), total: Fen, currency: z.literal('CNY') }),
});

/** 发起转账: `POST /v3/fund-app/mch-transfer/transfer-bills`. */
const TransferRequestSchema = z.looseObject({
  appid: Text,
  out_bill_no: z.string().regex(/^[0-9A-Za-z]{1,32}$/, 'out_bill_no must be letters and digits, at most 32'),
  transfer_scene_id: Text,
  openid: Text,
  user_name: z.string().optional(),
  transfer_amount: Fen.min(1),
  transfer_remark: Text,
  // Optional to WeChat Pay; required here, since the platform learns a transfer's end only from its notification.
  notify_url: Text,
  transfer_scene_report_infos: z.array(z.unknown()),
});

/** The body as `schema` reads it; what does not fit throws, and is answered 400 PARAM_ERROR naming the field. */
function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new Error(`${issue.path.join('.')}: ${issue.message}`);
}

type JsapiRequest = z.infer<typeof JsapiRequestSchema>;
type RefundRequest = z.infer<typeof RefundRequestSchema>;
type TransferRequest = z.infer<typeof TransferRequestSchema>;

interface Transaction {
  outTradeNo: string;
  prepayId: string;
  request: JsapiRequest;
  transactionId?: string;
  paidFen?: number;
  refundedFen: number;
}

interface RefundEntry {
  refundId: string;
  request: RefundRequest;
  status: 'PROCESSING' | 'SUCCESS' | 'CLOSED' | 'ABNORMAL';
}

interface TransferBill {
  transferBillNo: string;
  request: TransferRequest;
  state: string;
  packageInfo: string;
}

export interface SignedDelivery {
  rawBody: string;
  headers: Record<string, string>;
}

export interface NotificationOptions {
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Sign with this key instead of WeChat Pay's (a forgery). */
  signWith?: KeyObject;
  serial?: string;
  /** Encrypt with this APIv3 key instead of the merchant's. */
  apiV3Key?: string;
}

const nonce = (n = 32) => randomBytes(n).toString('hex').slice(0, n);

/** AEAD_AES_256_GCM as WeChat Pay encrypts a resource (written here, not taken from the code under test). */
function encryptResource(plaintext: string, apiV3Key: string, associatedData: string) {
  const iv = nonce(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(iv));
  cipher.setAAD(Buffer.from(associatedData));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: data.toString('base64'), associated_data: associatedData, nonce: iv };
}
const beijing = (ms: number) => new Date(Math.floor(ms / 1000) * 1000 + 8 * 3_600_000).toISOString().replace('.000Z', '+08:00');

export class WeChatPayStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Requests refused for a bad signature, with the reason. */
  readonly refused: { path: string; reason: string }[] = [];
  readonly transactions = new Map<string, Transaction>();
  readonly refunds = new Map<string, RefundEntry>();
  readonly transfers = new Map<string, TransferBill>();
  private server?: Server;
  url = '';
  private seq = 0;

  constructor(readonly id: StandInIdentity) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((ok) => this.server!.listen(0, '127.0.0.1', ok));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this.url;
  }

  stop(): Promise<void> {
    return new Promise((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }

  private sign(message: string, key = this.id.wechatPay.privateKey): string {
    return createSign('RSA-SHA256').update(message).sign(key, 'base64');
  }

  /** WeChat Pay's check of our Authorization header (schema, merchant, serial, clock, signature). */
  private verifyRequest(method: string, path: string, body: string, header: string | undefined): string | undefined {
    const m = header?.match(/^WECHATPAY2-SHA256-RSA2048 (.+)$/);
    if (!m) return 'no WECHATPAY2-SHA256-RSA2048 authorization';
    const fields = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((f) => [f[1], f[2]]));
    if (fields.mchid !== this.id.mchid) return `mchid ${fields.mchid}`;
    if (fields.serial_no !== this.id.merchantSerial) return `serial_no ${fields.serial_no}`;
    if (!fields.nonce_str || !fields.signature || !fields.timestamp) return 'incomplete authorization';
    if (Math.abs(Date.now() / 1000 - Number(fields.timestamp)) > 300) return 'timestamp off';
    const message = `${method}\n${path}\n${fields.timestamp}\n${fields.nonce_str}\n${body}\n`;
    const ok = createVerify('RSA-SHA256').update(message).verify(this.id.merchantPublicKey, fields.signature, 'base64');
    return ok ? undefined : 'signature does not verify with the merchant public key';
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const n = nonce();
    res.writeHead(status, {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': n,
      'wechatpay-serial': this.id.publicKeyId,
      'wechatpay-signature': this.sign(`${timestamp}\n${n}\n${text}\n`),
      'request-id': `standin-${++this.seq}`,
    });
    res.end(text);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const why = this.verifyRequest(method, path, raw, req.headers.authorization);
    if (why) {
      this.refused.push({ path, reason: why });
      return this.reply(res, 401, { code: 'SIGN_ERROR', message: why });
    }
    const body = z.record(z.string(), z.unknown()).parse(raw ? JSON.parse(raw) : {});
    this.requests.push({ method, path, body, authorization: String(req.headers.authorization) });
    try {
      if (method === 'POST' && path === '/v3/pay/transactions/jsapi') return this.jsapi(res, parsed(JsapiRequestSchema, body));
      if (method === 'POST' && path === '/v3/refund/domestic/refunds') return this.refund(res, parsed(RefundRequestSchema, body));
      if (method === 'POST' && path === '/v3/fund-app/mch-transfer/transfer-bills')
        return this.transfer(res, parsed(TransferRequestSchema, body), req.headers['wechatpay-serial']);
      return this.reply(res, 404, { code: 'NOT_FOUND', message: `${method} ${path}` });
    } catch (err) {
      return this.reply(res, 400, { code: 'PARAM_ERROR', message: (err as Error).message });
    }
  }

  private jsapi(res: ServerResponse, b: JsapiRequest): void {
    if (b.appid !== this.id.appid || b.mchid !== this.id.mchid)
      return this.reply(res, 400, { code: 'PARAM_ERROR', message: 'appid/mchid' });
    const existing = this.transactions.get(b.out_trade_no);
    if (existing?.transactionId) return this.reply(res, 400, { code: 'ORDERPAID', message: '该订单已支付' });
    if (existing && JSON.stringify(existing.request) !== JSON.stringify(b))
      return this.reply(res, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' });
    const tx = existing ?? { outTradeNo: b.out_trade_no, prepayId: `wx${nonce(30)}`, request: b, refundedFen: 0 };
    this.transactions.set(b.out_trade_no, tx);
    this.reply(res, 200, { prepay_id: tx.prepayId });
  }

  private refund(res: ServerResponse, b: RefundRequest): void {
    const tx = [...this.transactions.values()].find(
      (t) => t.transactionId === b.transaction_id || (b.out_trade_no && t.outTradeNo === b.out_trade_no),
    );
    if (!tx?.paidFen) return this.reply(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' });
    if (b.amount.total !== tx.paidFen)
      return this.reply(res, 400, { code: 'PARAM_ERROR', message: 'amount.total differs from the payment' });
    const earlier = this.refunds.get(b.out_refund_no);
    if (!earlier) {
      if (tx.refundedFen + b.amount.refund > tx.paidFen)
        return this.reply(res, 403, { code: 'NOT_ENOUGH', message: '退款金额超过可退金额' });
      tx.refundedFen += b.amount.refund;
      this.refunds.set(b.out_refund_no, { refundId: `5030${nonce(24)}`, request: b, status: 'PROCESSING' });
    }
    const r = this.refunds.get(b.out_refund_no)!;
    this.reply(res, 200, {
      refund_id: r.refundId,
      out_refund_no: b.out_refund_no,
      transaction_id: tx.transactionId,
      out_trade_no: tx.outTradeNo,
      status: r.status,
      amount: { total: tx.paidFen, refund: r.request.amount.refund, currency: 'CNY' },
    });
  }

  private transfer(res: ServerResponse, b: TransferRequest, serial: string | string[] | undefined): void {
    if (b.appid !== this.id.appid) return this.reply(res, 400, { code: 'PARAM_ERROR', message: 'appid' });
    if (b.user_name !== undefined && serial !== this.id.publicKeyId)
      throw new Error('Wechatpay-Serial must name the key user_name is encrypted with');
    const earlier = this.transfers.get(b.out_bill_no);
    if (earlier && JSON.stringify({ ...earlier.request, user_name: undefined }) !== JSON.stringify({ ...b, user_name: undefined })) {
      return this.reply(res, 400, { code: 'INVALID_REQUEST', message: '商户单号重复' });
    }
    const bill = earlier ?? { transferBillNo: `1330${nonce(28)}`, request: b, state: 'WAIT_USER_CONFIRM', packageInfo: `pkg-${nonce(20)}` };
    this.transfers.set(b.out_bill_no, bill);
    this.reply(res, 200, {
      out_bill_no: b.out_bill_no,
      transfer_bill_no: bill.transferBillNo,
      create_time: beijing(Date.now()),
      state: bill.state,
      ...(bill.state === 'WAIT_USER_CONFIRM' ? { package_info: bill.packageInfo } : {}),
    });
  }

  // --- Acting as WeChat Pay toward the merchant ---

  /** A notification as WeChat Pay sends it: the resource encrypted with the APIv3 key, the body signed. */
  notification(eventType: string, originalType: string, resource: unknown, options: NotificationOptions = {}): SignedDelivery {
    const encrypted = encryptResource(JSON.stringify(resource), options.apiV3Key ?? this.id.apiV3Key, originalType);
    const rawBody = JSON.stringify({
      id: `EV-${nonce(20)}`,
      create_time: beijing(Date.now()),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: 'stand-in',
      resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ...encrypted },
    });
    return this.signDelivery(rawBody, options);
  }

  signDelivery(rawBody: string, options: NotificationOptions = {}): SignedDelivery {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const n = nonce();
    return {
      rawBody,
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': n,
        'wechatpay-serial': options.serial ?? this.id.publicKeyId,
        'wechatpay-signature': this.sign(`${timestamp}\n${n}\n${rawBody}\n`, options.signWith),
        'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      },
    };
  }

  /** The payer pays the prepaid order `outTradeNo` (all of it unless told otherwise): TRANSACTION.SUCCESS. */
  pay(
    outTradeNo: string,
    options: { amountFen?: number; successTime?: number; resource?: Record<string, unknown> } & NotificationOptions = {},
  ) {
    const tx = this.transactions.get(outTradeNo);
    if (!tx) throw new Error(`stand-in: no prepay for ${outTradeNo}`);
    tx.transactionId ??= `4200${Date.now()}${String(++this.seq).padStart(10, '0')}`;
    tx.paidFen = options.amountFen ?? tx.request.amount.total;
    const resource = {
      mchid: this.id.mchid,
      appid: this.id.appid,
      out_trade_no: outTradeNo,
      transaction_id: tx.transactionId,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      success_time: beijing(options.successTime ?? Date.now()),
      payer: { openid: tx.request.payer.openid },
      amount: { total: tx.paidFen, payer_total: tx.paidFen, currency: 'CNY', payer_currency: 'CNY' },
      ...options.resource,
    };
    return {
      delivery: this.notification('TRANSACTION.SUCCESS', 'transaction', resource, options),
      notifyUrl: tx.request.notify_url,
      transactionId: tx.transactionId,
    };
  }

  /** WeChat Pay settles a refund: REFUND.SUCCESS (or CLOSED / ABNORMAL) to the refund's notify_url. */
  settleRefund(outRefundNo: string, status: 'SUCCESS' | 'CLOSED' | 'ABNORMAL' = 'SUCCESS', options: NotificationOptions = {}) {
    const r = this.refunds.get(outRefundNo);
    if (!r) throw new Error(`stand-in: no refund ${outRefundNo}`);
    r.status = status;
    const tx = [...this.transactions.values()].find((t) => t.transactionId === r.request.transaction_id)!;
    const resource = {
      mchid: this.id.mchid,
      out_trade_no: tx.outTradeNo,
      transaction_id: tx.transactionId,
      out_refund_no: outRefundNo,
      refund_id: r.refundId,
      refund_status: status,
      success_time: beijing(Date.now()),
      user_received_account: '支付用户零钱',
      amount: { total: tx.paidFen, refund: r.request.amount.refund, payer_total: tx.paidFen, payer_refund: r.request.amount.refund },
    };
    return { delivery: this.notification(`REFUND.${status}`, 'refund', resource, options), notifyUrl: r.request.notify_url as string };
  }

  /** A transfer bill reaches its end (the payee confirmed, or it failed): MCHTRANSFER.BILL.FINISHED. */
  finishTransfer(outBillNo: string, state: 'SUCCESS' | 'FAIL' | 'CANCELLED' = 'SUCCESS', options: NotificationOptions = {}) {
    const bill = this.transfers.get(outBillNo);
    if (!bill) throw new Error(`stand-in: no transfer ${outBillNo}`);
    bill.state = state;
    const resource = {
      mch_id: this.id.mchid,
      out_bill_no: outBillNo,
      transfer_bill_no: bill.transferBillNo,
      state,
      transfer_amount: bill.request.transfer_amount,
      openid: bill.request.openid,
      ...(state === 'SUCCESS' ? {} : { fail_reason: 'PAYEE_ACCOUNT_ABNORMAL' }),
      create_time: beijing(Date.now()),
      update_time: beijing(Date.now()),
    };
    return {
      delivery: this.notification('MCHTRANSFER.BILL.FINISHED', 'mch_payment', resource, options),
      notifyUrl: bill.request.notify_url,
    };
  }
}
