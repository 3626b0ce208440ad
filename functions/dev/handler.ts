// Local-stage helpers (`/dev/*`): a login that issues tokens, the sandbox payment provider, and the
// sandbox SMS provider's outbox (the last code texted to a phone), and what the notification sandboxes
// "sent" to a phone or an OPENID.
// Every other stage answers 404, as if the routes did not exist.
import { DevLoginBodySchema, DevSmsQuerySchema } from '../../schemas/auth';
import { lastSandboxSms } from '../../lib/auth/account';
import { sandboxOutbox } from '../../lib/auth/wiring';
import { jwtIdentity } from '../../lib/runtime/auth';
import { config, requireLocalStage } from '../../lib/runtime/config';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';
import { payInSandbox } from '../../lib/payments/sandbox';
import { paymentDeps, sandbox, usesSandbox } from '../../lib/payments/wiring';
import { randomIds } from '../../lib/runtime/clock';
import { notFound } from '../../lib/runtime/errors';
import { OrderIdPathSchema } from '../../schemas/orders';
import { DevMessagesQuerySchema } from '../../schemas/notifications';
import { sentMessages } from '../../lib/notifications/wiring';

const payments = paymentDeps();

const identity = jwtIdentity(() => config.authSecret);

export const routes: Routes = {
  'POST /dev/login': route({
    auth: 'public',
    body: DevLoginBodySchema,
    async handle({ body }) {
      requireLocalStage();
      return {
        body: {
          token: await identity.issue({
            userId: body.userId,
            roles: body.roles,
            ...(body.supplierId ? { supplierId: body.supplierId } : {}),
          }),
        },
      };
    },
  }),
  'POST /dev/pay/{orderId}': route({
    auth: 'public',
    path: OrderIdPathSchema,
    async handle({ path }) {
      requireLocalStage();
      // With PAYMENT_PROVIDER=wechatpay, money comes only through WeChat Pay.
      if (!usesSandbox) throw notFound('Route');
      return { body: await payInSandbox(payments, sandbox, path.orderId, `sandbox-${randomIds.next()}`) };
    },
  }),
  'GET /dev/sms': route({
    auth: 'public',
    query: DevSmsQuerySchema,
    async handle({ query }) {
      requireLocalStage();
      return { body: await lastSandboxSms(sandboxOutbox, query.phone), headers: { 'cache-control': 'no-store' } };
    },
  }),
  'GET /dev/messages': route({
    auth: 'public',
    query: DevMessagesQuerySchema,
    async handle({ query }) {
      requireLocalStage();
      return { body: { items: await sentMessages.list(query.to, 100) }, headers: { 'cache-control': 'no-store' } };
    },
  }),
};

export const main = httpFunction(routes);
