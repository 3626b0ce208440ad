// The routing of table changes to their consumers (stream-routes.json), typed, with the names that the
// deployment (infra/stream-routes.js), the router and the local stack derive from a consumer's name.
import routes from './stream-routes.json';
import type { FilterPattern } from './filter-patterns';

export interface ConsumerRoute {
  /** The consumer function's name in serverless.yml. */
  name: string;
  filterPatterns: FilterPattern[];
  /** At least six times the consumer's timeout (AWS's advice for SQS event sources). */
  visibilityTimeoutSeconds: number;
  /** Deliveries before a message goes to the consumer's dead-letter queue. */
  maxReceiveCount: number;
}

export const CONSUMER_ROUTES: ConsumerRoute[] = Object.entries(routes.consumers).map(([name, route]) => ({
  name,
  filterPatterns: route.filterPatterns as FilterPattern[],
  visibilityTimeoutSeconds: route.visibilityTimeoutSeconds,
  maxReceiveCount: route.maxReceiveCount,
}));

const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_-]+/);

/** `pickupSheets` → `QUEUE_URL_PICKUP_SHEETS`: the router's environment variable for that queue. */
export const queueUrlVariable = (consumer: string) => `QUEUE_URL_${words(consumer).join('_').toUpperCase()}`;
/** `pickupSheets` → `PickupSheetsQueue` (and `PickupSheetsDeadLetterQueue`): CloudFormation logical ids. */
export const queueLogicalId = (consumer: string, dead = false) =>
  `${words(consumer)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')}${dead ? 'DeadLetterQueue' : 'Queue'}`;
/** The queue's name: `<service>-<stage>-<consumer>` (and `…-dlq`). */
export const queueName = (prefix: string, consumer: string, dead = false) => `${prefix}-${consumer}${dead ? '-dlq' : ''}`;
