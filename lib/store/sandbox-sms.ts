// The sandbox SMS provider's outbox (local stage only): the last code "sent" to each phone, kept in the
// table so that `GET /dev/sms` in any process sees what the provider in another process sent.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SentSmsLog } from '../auth/ports';
import { db, tableName, type Db } from './dynamo';
import { keys } from './keys';

const KEEP_SECONDS = 86_400;

export function dynamoSentSmsLog(client: Db = db()): SentSmsLog {
  return {
    async record(phone, code, sentAt) {
      await client.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.sandboxSms(phone),
            type: 'SANDBOX_SMS',
            phone,
            code,
            sentAt,
            ttl: Math.ceil(Date.parse(sentAt) / 1000) + KEEP_SECONDS,
          },
        }),
      );
    },
    async last(phone) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.sandboxSms(phone), ConsistentRead: true }));
      return Item ? { phone: String(Item.phone), code: String(Item.code), sentAt: String(Item.sentAt) } : undefined;
    },
  };
}
