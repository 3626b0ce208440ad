// Stream-triggered by orders with a pickup code: keeps the pickup point's sheet line of each order,
// newest image wins, so duplicates and out-of-order records leave the sheet exact.
import { OrderSchema } from '../../schemas/orders';
import { sheetLineOf } from '../../lib/pickups/pickups';
import { pickupDeps } from '../../lib/pickups/wiring';
import { queueFunction } from '../../lib/runtime/stream';

const { pickups } = pickupDeps();

export const main = queueFunction(async (change) => {
  if (change.newImage?.type !== 'ORDER') return;
  const line = sheetLineOf(OrderSchema.parse(change.newImage));
  if (line) await pickups.upsertSheetLine(line);
});
