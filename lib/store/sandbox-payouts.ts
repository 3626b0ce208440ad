// The sandbox payout provider's books (local stage), under SANDBOXPAYOUT# keys.
import type { SandboxPayoutBooks } from '../commissions/payout-provider';
import { db, putIf, type Db } from './dynamo';
import { keys } from './keys';

export function dynamoSandboxPayoutBooks(client: Db = db()): SandboxPayoutBooks {
  return {
    async record(request) {
      const recorded = await putIf(client, {
        Item: { ...keys.sandboxPayout(request.payoutId), type: 'SANDBOX_PAYOUT', ...request },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      return recorded ? 'recorded' : 'repeat';
    },
  };
}
