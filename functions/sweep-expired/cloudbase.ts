// CloudBase only: the sweep that stands in for DynamoDB's TTL and SQS's retention (lib/adapters/cloudbase/
// expiry.ts). A timer trigger (cloudbaserc.json, hourly) runs it; on AWS the table's TTL and the queues do this.
import { removeExpired } from '../../lib/adapters/cloudbase/expiry';
import { timerFunction } from '../../lib/runtime/cloudbase-http';
import { logger } from '../../lib/runtime/observability';

export const main = timerFunction(async () => {
  const removed = await removeExpired();
  logger.info('Removed expired documents', { removed });
  return removed;
});
