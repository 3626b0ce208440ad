// The pickup sheets' consumer on Tencent CloudBase: a timer (every minute) sweeps its outbox items (orders
// with a pickup code, written with each change of them) into the AWS entry, which keeps each sheet line.
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as consumer } from './handler';

export const main = outboxFunction('pickupSheets', consumer);
