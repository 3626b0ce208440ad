// Logs and metrics (Powertools): one JSON line per entry, each with the function's name and the request
// id of the invocation; business metrics as CloudWatch embedded metric format (EMF) in the same log,
// so no API call and no extra IAM. Every function's entry (the HTTP stack, queue consumers, the router,
// the scheduled jobs) runs inside `observed`, which loads the function's secrets on its first
// invocation, adds the invocation's context to the logs and flushes the metrics.
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadSecrets } from './secrets';

export const logger = new Logger({ serviceName: 'tuangou' });
export const metrics = new Metrics({ namespace: 'Tuangou', serviceName: 'tuangou' });

/** The business metrics the platform emits (each a count). */
export type MetricName =
  | 'OrdersPlaced'
  | 'GroupBuysClosed'
  | 'GroupBuysFailed'
  | 'StreamRecordsNotRouted'
  | 'ConsumerFailures'
  | 'PayoutsProposed'
  | 'PayoutsPaid'
  | 'PayoutRunFailures'
  | 'NotificationsSent'
  | 'NotificationsUndeliverable';

export function count(name: MetricName, value = 1): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

/** Runs one invocation with its context on every log line, and publishes the metrics it added. */
export async function observed<T>(context: Context | undefined, run: () => Promise<T>): Promise<T> {
  if (context) logger.addContext(context);
  await loadSecrets();
  try {
    return await run();
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

/** An error as a log field: name, message and stack (never sent to a client). */
export const errorField = (err: unknown) =>
  err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { message: String(err) };
