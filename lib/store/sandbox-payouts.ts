// The sandbox payout provider's books (local stage), under SANDBOXPAYOUT# keys.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SandboxPayoutBooks } from '../commissions/payout-provider';
import { db, isConditionFailure, tableName, type Db } from './dynamo';
import { keys } from './keys';

export function dynamoSandboxPayoutBooks(client: Db = db()): SandboxPayoutBooks {
  return {
    async record(request) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName(),
            Item: { ...keys.sandboxPayout(request.payoutId), type: 'SANDBOX_PAYOUT', ...request },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'recorded';
      } catch (err) {
        if (isConditionFailure(err)) return 'repeat';
        throw err;
      }
    },
  };
}
