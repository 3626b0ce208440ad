// The notifications' consumer on Tencent CloudBase: a timer (every minute) sweeps its outbox items (new notices,
// and the changes that cause them: lib/runtime/stream-routes.json "notify") into the same queue entry as on
// AWS, which plans each change's notices once and sends each notice once.
import { outboxFunction } from '../../lib/adapters/cloudbase/outbox';
import { main as queueMain } from './handler';

export const main = outboxFunction('notify', queueMain);
