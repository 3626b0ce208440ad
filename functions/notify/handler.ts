// A consumer of table changes (lib/runtime/stream-routes.json "notify"): plans the messages a change
// causes (one notice each, written once) and sends each new notice by SMS or WeChat. A notice that cannot
// be sent yet fails its message alone; after its last delivery it waits in the dead-letter queue.
import { onChange } from '../../lib/notifications/consumer';
import { deliveryDeps, planningDeps } from '../../lib/notifications/wiring';
import { queueFunction } from '../../lib/runtime/stream';

/** Exported for tests, which shorten the sender's backoff. */
export const deps = { planning: planningDeps(), delivery: deliveryDeps() };

export const main = queueFunction((change) => onChange(deps, change));
