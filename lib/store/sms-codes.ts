// DynamoDB adapter of the CodeStore port: the code last texted to each phone (hash only) and the send
// logs that the rate limits judge. Every decision compares stored times with now; the items' TTL only
// tidies up, since DynamoDB deletes expired items hours or days late.
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CodeStore } from '../auth/ports';
import { sendLogsOf } from '../auth/ports';
import { SmsCodeRecordSchema } from '../../schemas/auth';
import type { Db } from './dynamo';
import { cancellationReasons, db, readItem, tableName, transactWrite, unlessConditionFails } from './dynamo';
import { keys } from './keys';

/** Expired codes linger a day for support questions ("I never got it"), then go. */
const CODE_KEEP_SECONDS = 86_400;
const epochSeconds = (ms: number) => Math.ceil(ms / 1000);

export function dynamoCodeStore(client: Db = db()): CodeStore {
  return {
    sendLogs: (subjects) => sendLogsOf(subjects, (subject) => readItem(client, keys.smsSendLog(subject))),
    async saveCode(code, logs) {
      try {
        await transactWrite(client, [
          ...logs.map(({ key, before, after, keepUntil }) => ({
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.smsSendLog(key),
                type: 'SMS_SEND_LOG',
                sends: after.map((t) => new Date(t).toISOString()),
                version: before.version + 1,
                ttl: epochSeconds(keepUntil),
              },
              // Optimistic lock: the log is still the one the decision was made on.
              ...(before.version === 0
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': before.version } }),
            },
          })),
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.smsCode(code.phone),
                type: 'SMS_CODE',
                ...code,
                ttl: epochSeconds(Date.parse(code.expiresAt)) + CODE_KEEP_SECONDS,
              },
            },
          },
        ]);
        return 'saved';
      } catch (err) {
        if (cancellationReasons(err)?.includes('ConditionalCheckFailed')) return 'raced';
        throw err;
      }
    },
    async countAttempt(phone, now, maxAttempts) {
      const counted = await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.smsCode(phone),
            UpdateExpression: 'ADD attempts :one',
            // A code exists, has tries left, and has not expired (judged here, not by TTL).
            ConditionExpression: 'attribute_exists(pk) AND attempts < :max AND expiresAt > :now',
            ExpressionAttributeValues: { ':one': 1, ':max': maxAttempts, ':now': now },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return counted && SmsCodeRecordSchema.parse(counted.Attributes);
    },
    async useCode(phone, codeHash) {
      const used = await unlessConditionFails(
        client.send(
          new DeleteCommand({
            TableName: tableName(),
            Key: keys.smsCode(phone),
            ConditionExpression: 'codeHash = :hash',
            ExpressionAttributeValues: { ':hash': codeHash },
          }),
        ),
      );
      return used !== undefined;
    },
  };
}
