// Stream-triggered: executes each requested refund through the payment provider (idempotent by
// refundId): succeeded at once (the sandbox), or submitted until WeChat Pay's refund notification
// settles it. A refund the provider refuses is retried, then lands in the failure destination.
import { RefundSchema } from '../../schemas/orders';
import { executeRefund } from '../../lib/payments/payments';
import { paymentDeps } from '../../lib/payments/wiring';
import { queueFunction } from '../../lib/runtime/stream';

const deps = paymentDeps();

export const main = queueFunction(async (change) => {
  if (change.newImage?.type !== 'REFUND') return;
  const refund = RefundSchema.parse(change.newImage);
  if (refund.status === 'requested') await executeRefund(deps, refund);
});
