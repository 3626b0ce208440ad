// Paying for orders: the resident's start of a payment, and the providers' notifications (the sandbox's
// HMAC webhook; WeChat Pay's payment and refund notifications), authenticated by their signatures.
import { receivePayment, receiveRefundResult, startPayment } from '../../lib/payments/payments';
import { paymentDeps, sandbox, usesSandbox, usesWeChatPay, wechatPay } from '../../lib/payments/wiring';
import { notFound } from '../../lib/runtime/errors';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';
import { answerWeChatPay } from '../../lib/runtime/wechatpay-reply';
import { OrderIdPathSchema } from '../../schemas/orders';

const deps = paymentDeps();

export const routes: Routes = {
  'POST /orders/{orderId}/payment': route({
    auth: 'user',
    path: OrderIdPathSchema,
    answer: ({ principal, path }) => startPayment(deps, principal, path.orderId),
  }),

  'POST /payments/notify': route({
    auth: 'public',
    async handle({ rawBody, headers }) {
      if (!usesSandbox) throw notFound('Route');
      const result = await receivePayment(deps, sandbox.openPayment(rawBody, headers));
      if (result.outcome === 'ignored') return { body: { ignored: result.why } };
      if (result.outcome === 'refunded') {
        return {
          body: {
            orderId: result.orderId,
            ...(result.order ? { status: result.order.status } : {}),
            refunded: true,
            reason: result.reason,
          },
        };
      }
      return { body: { orderId: result.order.orderId, status: result.order.status } };
    },
  }),

  'POST /payments/wechatpay/notify': route({
    auth: 'public',
    handle: ({ rawBody, headers }) =>
      answerWeChatPay(usesWeChatPay, () => receivePayment(deps, wechatPay.payments.openPayment(rawBody, headers))),
  }),

  'POST /payments/wechatpay/refund-notify': route({
    auth: 'public',
    handle: ({ rawBody, headers }) =>
      answerWeChatPay(usesWeChatPay, () => receiveRefundResult(deps, wechatPay.payments.openRefundResult(rawBody, headers))),
  }),
};

export const main = httpFunction(routes);
