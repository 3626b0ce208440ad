// The sandbox SMS provider's outbox (local stage only): the last code "sent" to each phone, kept in the
// table so that `GET /dev/sms` in any process sees what the provider in another process sent.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SentSmsLog } from '../auth/ports';
import type { Db } from './dynamo';
import { db, readItem, tableName } from './dynamo';
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
      return readItem(client, keys.sandboxSms(phone), (i) => ({ phone: String(i.phone), code: String(i.code), sentAt: String(i.sentAt) }));
    },
  };
}
