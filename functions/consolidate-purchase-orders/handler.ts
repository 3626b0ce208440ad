// A consumer of table changes (orders with a pickup code): consolidates the suppliers' purchase orders
// (one per supplier and delivery date) from the orders that changed, never from the day's orders again.
// The queue stops here: each message becomes a changed order named by the message's id, and each change
// that failed becomes that message's failure.
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { OrderSchema } from '../../schemas/orders';
import type { ChangedOrder } from '../../lib/purchase-orders/consolidation';
import { consolidate } from '../../lib/purchase-orders/consolidation';
import type { ConsolidationDeps } from '../../lib/purchase-orders/consolidation-ports';
import { consolidationDeps } from '../../lib/purchase-orders/wiring';
import { count, errorField, logger, observed } from '../../lib/runtime/observability';
import { changeOf } from '../../lib/runtime/stream';

/** The order a message carries, if it is one with a pickup code (parsed when read: a bad image fails its own message). */
function changedOrder(message: SQSRecord): ChangedOrder {
  return {
    changeId: message.messageId,
    order: () => {
      const image = changeOf(message).newImage;
      return image?.type === 'ORDER' && image.pickupCode ? OrderSchema.parse(image) : undefined;
    },
  };
}

/** The handler over given ports (tests pass a store that fails where they want it to). */
export function consolidationHandler(deps: ConsolidationDeps) {
  return (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    observed(context, async () => {
      const result = await consolidate(deps, event.Records.map(changedOrder));
      for (const { error, changeId, purchaseOrder } of result.errors)
        logger.error('Consolidation failed; its messages come again', { id: changeId, purchaseOrder, error: errorField(error) });
      count('ConsumerFailures', result.failedChangeIds.length);
      // Each failed message comes again on its own; every step is idempotent.
      return { batchItemFailures: result.failedChangeIds.map((itemIdentifier) => ({ itemIdentifier })) };
    });
}

export const main = consolidationHandler(consolidationDeps());
