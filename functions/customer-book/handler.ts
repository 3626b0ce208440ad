// A consumer of table changes (paid orders, and ledger earnings): keeps each leader's customer book and the
// per-day stats behind `GET /leaders/me/stats`, applying each change once however the queue delivers it.
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { LedgerEntrySchema } from '../../schemas/commissions';
import { OrderSchema } from '../../schemas/orders';
import type { CustomerBookDeps } from '../../lib/customers/customers';
import { keepBook } from '../../lib/customers/customers';
import { customerBookDeps } from '../../lib/customers/wiring';
import { count, errorField, logger, observed } from '../../lib/runtime/observability';
import { changeOf } from '../../lib/runtime/stream';

/** The handler over given ports (tests and the bench may pass their own). */
export function customerBookHandler(deps: Pick<CustomerBookDeps, 'book'>) {
  return (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
    observed(context, async () => {
      const records = event.Records.map((message) => ({
        id: message.messageId,
        read: () => {
          const change = changeOf(message);
          const image = change.newImage;
          if (image?.type === 'ORDER' && image.paidAt) return { order: OrderSchema.parse(image) };
          if (image?.type === 'LEDGER_ENTRY' && change.eventName === 'INSERT') return { entry: LedgerEntrySchema.parse(image) };
          return undefined;
        },
      }));
      const result = await keepBook(deps, records);
      for (const { id, error } of result.errors)
        logger.error('A change of the customer book failed; its message comes again', { id, error: errorField(error) });
      count('ConsumerFailures', result.failedIds.length);
      return { batchItemFailures: result.failedIds.map((itemIdentifier) => ({ itemIdentifier })) };
    });
}

export const main = customerBookHandler(customerBookDeps());
