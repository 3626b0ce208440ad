// The sandbox payout provider's books on CloudBase (`sandboxPayouts`, one document per payout): a payout
// recorded twice is recorded once, as a provider keeps its own books.
import type { SandboxPayoutBooks } from '../../commissions/payout-provider';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, isDuplicate } from './db';

export function cloudbaseSandboxPayoutBooks(db: CloudBaseDb = cloudbaseDb()): SandboxPayoutBooks {
  return {
    async record(request) {
      try {
        await db.collection(COLLECTIONS.sandboxPayouts).add({ ...request, _id: request.payoutId });
        return 'recorded';
      } catch (err) {
        if (isDuplicate(err)) return 'repeat';
        throw err;
      }
    },
  };
}
