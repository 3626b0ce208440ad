// Stream-triggered by picked-up orders (and their later refunds): books the leader's commission and the
// recruiter's referral share, appending only what brings the ledger to the rules' target.
import { OrderSchema } from '../../schemas/orders';
import { bookOrderCommissions } from '../../lib/commissions/commissions';
import { commissionDeps } from '../../lib/commissions/wiring';
import { queueFunction } from '../../lib/runtime/stream';

const deps = commissionDeps();

export const main = queueFunction(async (change) => {
  if (change.newImage?.type !== 'ORDER' || !change.newImage.pickedUpAt) return;
  await bookOrderCommissions(deps, OrderSchema.parse(change.newImage));
});
