// The refunds consumer on Tencent CloudBase: a timer sweeps its outbox items (the requested refunds the order
// changes wrote) into the same queue entry as on AWS (handler.ts), which sends each through the payment
// provider, idempotent by refundId, on the CloudBase adapters.
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as queueMain } from './handler';

export const main = outboxFunction('refunds', queueMain);
