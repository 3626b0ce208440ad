// The orders function on Tencent CloudBase: the same route table as the AWS entry (handler.ts), reached
// through CloudBase's HTTP access service; the CloudBase build sets DATA_STORE=cloudbase, so the use-cases
// run on the document-database adapters (lib/orders/wiring.ts).
import { cloudbaseHttpFunction } from '../../lib/runtime/cloudbase-http';
import { routes } from './handler';

export const main = cloudbaseHttpFunction(routes);
