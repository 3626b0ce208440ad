// The sandbox payout provider's books (local stage), under SANDBOXPAYOUT# keys.
import type { SandboxPayoutBooks } from '../commissions/payout-provider';
import type { Db } from './dynamo';
import { db, putIf } from './dynamo';
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
