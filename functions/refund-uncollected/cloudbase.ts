// The uncollected-orders job on Tencent CloudBase: a timer trigger (cloudbaserc.json, hourly) runs the same job
// as the AWS schedule on the CloudBase order store (lib/orders/wiring.ts), with CloudBase's context made
// Lambda-shaped. The reminder step is left out until notices have a CloudBase store (docs/decisions.md).
import { uncollectedDeps } from '../../lib/orders/wiring';
import { timerFunction } from '../../lib/runtime/cloudbase-http';
import { uncollectedJob } from './handler';

export const main = timerFunction(uncollectedJob(uncollectedDeps()));
