// Scheduled every minute: unpaid orders past PAYMENT_TIMEOUT_MINUTES expire and give their stock back.
// (DynamoDB TTL can take hours, so it is not trusted with a business deadline.)
import type { Context } from 'aws-lambda';
import { expireDueOrders } from '../../lib/orders/orders';
import { systemClock } from '../../lib/runtime/clock';
import { dynamoOrderStore } from '../../lib/store/orders';

const deps = { orders: dynamoOrderStore(), clock: systemClock };

export const main = async (_event: unknown, context?: Context) =>
  expireDueOrders(deps, { hasTime: () => !context || context.getRemainingTimeInMillis() > 5_000 });
