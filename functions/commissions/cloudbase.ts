// The commissions consumer on Tencent CloudBase: a timer (every minute, cloudbaserc.json) sweeps the outbox items
// of picked-up orders (and their later refunds) into the AWS queue entry, which books them on the CloudBase
// ledger (DATA_STORE=cloudbase): at least once, and a booking repeated appends nothing.
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as queueMain } from './handler';

export const main = outboxFunction('commissions', queueMain);
