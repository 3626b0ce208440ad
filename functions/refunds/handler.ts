// Stream-triggered: executes each requested refund through the payment provider (idempotent by
// refundId), then marks it succeeded. A refund the provider refuses is retried, then lands in the
// failure destination for an operator.
import { RefundSchema } from '../../schemas/orders';
import { executeRefund, type PaymentDeps } from '../../lib/payments/payments';
import { paymentProvider } from '../../lib/payments/wiring';
import { systemClock } from '../../lib/runtime/clock';
import { queueFunction } from '../../lib/runtime/stream';
import { dynamoOrderStore } from '../../lib/store/orders';

const deps: PaymentDeps = { orders: dynamoOrderStore(), provider: paymentProvider, clock: systemClock };

export const main = queueFunction(async (change) => {
  if (change.newImage?.type !== 'REFUND') return;
  const refund = RefundSchema.parse(change.newImage);
  if (refund.status === 'requested') await executeRefund(deps, refund);
});
