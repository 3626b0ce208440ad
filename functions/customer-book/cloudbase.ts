// The customer book's consumer on Tencent CloudBase: a timer (every minute) sweeps its outbox items (paid
// orders' changes, ledger earnings: lib/runtime/stream-routes.json "customerBook") into the same queue entry
// as on AWS, which applies each once however often and in whatever order it comes.
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as queueMain } from './handler';

export const main = outboxFunction('customerBook', queueMain);
