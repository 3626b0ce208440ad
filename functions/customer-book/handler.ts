// A consumer of table changes (paid orders, and ledger earnings): keeps each leader's customer book and the
// per-day stats behind `GET /leaders/me/stats`, applying each change once however the queue delivers it.
import { LedgerEntrySchema } from '../../schemas/commissions';
import { OrderSchema } from '../../schemas/orders';
import { applyLedgerEntry, applyOrder } from '../../lib/customers/customers';
import { customerBookDeps } from '../../lib/customers/wiring';
import { queueFunction } from '../../lib/runtime/stream';

const deps = customerBookDeps();

export const main = queueFunction(async (change) => {
  const image = change.newImage;
  if (image?.type === 'ORDER' && image.paidAt) await applyOrder(deps, OrderSchema.parse(image));
  else if (image?.type === 'LEDGER_ENTRY' && change.eventName === 'INSERT') await applyLedgerEntry(deps, LedgerEntrySchema.parse(image));
});
