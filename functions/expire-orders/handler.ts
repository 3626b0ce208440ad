// Scheduled every minute: unpaid orders past PAYMENT_TIMEOUT_MINUTES expire and give their stock back.
// (DynamoDB TTL can take hours, so it is not trusted with a business deadline.)
import type { Context } from 'aws-lambda';
import { expireDueOrders } from '../../lib/orders/orders';
import { expiryDeps } from '../../lib/orders/wiring';
import { observed } from '../../lib/runtime/observability';

const deps = expiryDeps();

export const main = (_event: unknown, context?: Context) =>
  observed(context, () => expireDueOrders(deps, { hasTime: () => !context || context.getRemainingTimeInMillis() > 5_000 }));
