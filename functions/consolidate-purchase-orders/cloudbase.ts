// The purchase-order consolidation on Tencent CloudBase: a timer sweeps its outbox items (the order images with
// a pickup code that the order adapter writes) into the same queue entry as on AWS (handler.ts), which applies
// them to the purchase orders on the CloudBase adapters (lib/purchase-orders/wiring.ts).
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as queueMain } from './handler';

export const main = outboxFunction('consolidatePurchaseOrders', queueMain);
