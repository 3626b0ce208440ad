// Stream-triggered by orders with a pickup code: consolidates the suppliers' purchase orders (one per
// supplier and delivery date) from the orders that changed, never from the day's orders again.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { OrderSchema } from '../../schemas/orders';
import { consolidate, type ConsolidationDeps } from '../../lib/purchase-orders/consolidation';
import { consolidationDeps } from '../../lib/purchase-orders/wiring';
import { toChange } from '../../lib/runtime/stream';

/** The handler over given ports (tests pass a store that fails where they want it to). */
export function consolidationHandler(deps: ConsolidationDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records.map(toChange).map((change) => ({
      sequenceNumber: change.sequenceNumber,
      order: () => (change.newImage?.type === 'ORDER' && change.newImage.pickupCode ? OrderSchema.parse(change.newImage) : undefined),
    }));
    const result = await consolidate(deps, records);
    for (const { error, ...where } of result.errors) {
      console.error(JSON.stringify({ level: 'error', ...where, error: error.message, stack: error.stack }));
    }
    // Lambda delivers again from the first failed record (later ones included): every step is idempotent.
    return { batchItemFailures: result.failedSequenceNumber ? [{ itemIdentifier: result.failedSequenceNumber }] : [] };
  };
}

export const main = consolidationHandler(consolidationDeps());
