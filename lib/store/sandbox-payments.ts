// The sandbox provider's own books (a stand-in for the provider's side), kept in the table under
// SANDBOX# keys so refunds can be checked against what was paid.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SandboxLedger } from '../payments/sandbox';
import type { Db } from './dynamo';
import { db, guardedWrite, putIfNew, tableName } from './dynamo';
import { keys } from './keys';

export function dynamoSandboxLedger(client: Db = db()): SandboxLedger {
  return {
    async recordPayment(payment) {
      await client.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.sandboxPayment(payment.paymentId), type: 'SANDBOX_PAYMENT', ...payment, refundedFen: 0 },
        }),
      );
    },
    async recordRefund(refund) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.sandboxPayment(refund.paymentId) }));
      if (!Item) return 'unknown_payment';
      const failed = await guardedWrite(
        client,
        [
          putIfNew({ ...keys.sandboxRefund(refund.paymentId, refund.refundId), type: 'SANDBOX_REFUND', ...refund }),
          {
            Update: {
              TableName: tableName(),
              Key: keys.sandboxPayment(refund.paymentId),
              UpdateExpression: 'ADD refundedFen :amount',
              ConditionExpression: 'refundedFen <= :max',
              ExpressionAttributeValues: { ':amount': refund.amountFen, ':max': Number(Item.amountFen) - refund.amountFen },
            },
          },
        ],
        ['repeat', 'exceeds'],
      );
      return failed ?? 'recorded';
    },
  };
}
