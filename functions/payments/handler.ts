// The payment provider's webhook, authenticated by its signature rather than a token.
import { handlePaymentNotification, type PaymentDeps } from '../../lib/payments/payments';
import { paymentProvider } from '../../lib/payments/wiring';
import { systemClock } from '../../lib/runtime/clock';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';
import { dynamoOrderStore } from '../../lib/store/orders';

const deps: PaymentDeps = { orders: dynamoOrderStore(), provider: paymentProvider, clock: systemClock };

export const routes: Routes = {
  'POST /payments/notify': route({
    auth: 'public',
    async handle({ rawBody, headers }) {
      const order = await handlePaymentNotification(deps, rawBody, headers);
      return { body: { orderId: order.orderId, status: order.status } };
    },
  }),
};

export const main = httpFunction(routes);
