// The closing's consumer on Tencent CloudBase: a timer (every minute) sweeps its outbox items (a group buy
// whose change left it `closing`) into the AWS entry, which advances each closing by a few pages.
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as consumer } from './handler';

export const main = outboxFunction('closeGroupBuys', consumer);
