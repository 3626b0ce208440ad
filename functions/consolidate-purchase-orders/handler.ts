// A consumer of table changes (orders with a pickup code): consolidates the suppliers' purchase orders
// (one per supplier and delivery date) from the orders that changed, never from the day's orders again.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { OrderSchema } from '../../schemas/orders';
import { consolidate, type ConsolidationDeps } from '../../lib/purchase-orders/consolidation';
import { consolidationDeps } from '../../lib/purchase-orders/wiring';
import { count, errorField, logger, observed } from '../../lib/runtime/observability';
import { changeOf } from '../../lib/runtime/stream';

/** The handler over given ports (tests pass a store that fails where they want it to). */
export function consolidationHandler(deps: ConsolidationDeps) {
  return (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    observed(context, async () => {
      const records = event.Records.map((message) => ({
        id: message.messageId,
        order: () => {
          const image = changeOf(message).newImage;
          return image?.type === 'ORDER' && image.pickupCode ? OrderSchema.parse(image) : undefined;
        },
      }));
      const result = await consolidate(deps, records);
      for (const { error, ...where } of result.errors)
        logger.error('Consolidation failed; its messages come again', { ...where, error: errorField(error) });
      count('ConsumerFailures', result.failedIds.length);
      // Each failed message comes again on its own; every step is idempotent.
      return { batchItemFailures: result.failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
    });
}

export const main = consolidationHandler(consolidationDeps());
