// DynamoDB adapters of the notifications' ports: the outbox of notices (written once, by their cause's
// id; claimed with a lease while one invocation sends), people's settings, the arrival confirmations,
// the local sandboxes' log, and the few facts the messages read (OPENIDs, supplier members, purchase orders).
import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { Arrival, Notice } from '../../schemas/notifications';
import { ArrivalSchema, NoticeSchema, NotificationSettingsBodySchema, SentMessageSchema } from '../../schemas/notifications';
import type {
  ArrivalStore,
  NoticeOutcome,
  NoticeStore,
  People,
  PurchaseOrderFacts,
  SentMessageLog,
  SettingsStore,
  SupplierContacts,
} from '../notifications/ports';
import { finishedFields } from '../notifications/ports';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import {
  db,
  guardedWrite,
  partitionOf,
  putAtVersion,
  putIf,
  queryAll,
  readItem,
  tableName,
  transactWrite,
  unlessConditionFails,
} from './dynamo';
import { keys } from './keys';

/**
 * The outbox item. No empty map in it (a message without values): DynamoDB Local's stream hands one on
 * as `{}`, which no consumer can unmarshall; the schema reads a missing `params` as none.
 */
function noticeItem(notice: Notice) {
  const { params, ...rest } = notice;
  return { ...keys.notice(notice.noticeId), type: 'NOTICE', ...rest, ...(Object.keys(params).length ? { params } : {}) };
}

export function dynamoNoticeStore(client: Db = db()): NoticeStore {
  const table = tableName;
  return {
    async add(notice) {
      // once: its id is its cause
      return putIf(client, { Item: noticeItem(notice), ConditionExpression: 'attribute_not_exists(pk)' });
    },

    async get(noticeId) {
      return readItem(client, keys.notice(noticeId), (i) => NoticeSchema.parse(i));
    },

    async claim(noticeId, token, now, until) {
      const claimed = await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: table(),
            Key: keys.notice(noticeId),
            UpdateExpression: 'SET leaseUntil = :until, leaseToken = :token',
            // stillPending AND nobodyHoldsIt (or their claim ran out: they died mid-send)
            ConditionExpression: '#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':until': until, ':token': token, ':pending': 'pending', ':now': now },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return claimed && NoticeSchema.parse(claimed.Attributes);
    },

    async finish(noticeId, token, outcome: NoticeOutcome) {
      const fields: Record<string, unknown> = finishedFields(outcome);
      const names = Object.fromEntries(Object.keys(fields).map((k) => [`#${k}`, k]));
      const values = Object.fromEntries(Object.entries(fields).map(([k, v]) => [`:${k}`, v]));
      // Only while the claim is ours (a claim that ran out may have been taken over).
      await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: table(),
            Key: keys.notice(noticeId),
            UpdateExpression: `SET ${Object.keys(fields)
              .map((k) => `#${k} = :${k}`)
              .join(', ')} REMOVE leaseUntil, leaseToken`,
            ConditionExpression: 'leaseToken = :token',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':token': token },
          }),
        ),
      );
    },

    async release(noticeId, token, error) {
      await unlessConditionFails(
        client.send(
          new UpdateCommand({
            TableName: table(),
            Key: keys.notice(noticeId),
            UpdateExpression: 'SET attempts = if_not_exists(attempts, :zero) + :one, lastError = :error REMOVE leaseUntil, leaseToken',
            ConditionExpression: 'leaseToken = :token',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':error': error, ':token': token },
          }),
        ),
      );
    },
  };
}

export function dynamoSettingsStore(client: Db = db()): SettingsStore {
  return {
    async get(userId) {
      // The stored item carries its keys too: only the two choices are read.
      return readItem(client, keys.notificationSettings(userId), (i) =>
        NotificationSettingsBodySchema.pick({ sms: true, wechat: true }).strip().parse(i),
      );
    },
    async put(userId, settings, at, audit) {
      await transactWrite(client, [
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.notificationSettings(userId), type: 'NOTIFY_SETTINGS', userId, ...settings, updatedAt: at },
          },
        },
        auditPut(audit),
      ]);
    },
  };
}

export function dynamoPeople(client: Db = db()): People {
  return {
    async openIdOf(userId) {
      const openId: unknown = (await readItem(client, keys.userProfile(userId)))?.wechatOpenId;
      return typeof openId === 'string' && openId ? openId : undefined;
    },
    async userIdByPhone(phone) {
      const userId: unknown = (await readItem(client, keys.phoneUser(phone)))?.userId;
      return typeof userId === 'string' ? userId : undefined;
    },
  };
}

/** How long the sandboxes keep what they "sent" (local stage). */
const SANDBOX_KEEP_SECONDS = 7 * 86_400;

export function dynamoSentMessageLog(client: Db = db()): SentMessageLog {
  return {
    async record(to, message) {
      await client.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.sandboxMessage(to, message.sentAt, randomBytes(6).toString('hex')),
            type: 'SANDBOX_MESSAGE',
            to,
            ...message,
            ttl: Math.ceil(Date.parse(message.sentAt) / 1000) + SANDBOX_KEEP_SECONDS,
          },
        }),
      );
    },
    async list(to, limit) {
      const { Items } = await client.send(
        new QueryCommand({ ...partitionOf(keys.sandboxMessagePartition(to)), ScanIndexForward: false, Limit: limit }),
      );
      return (Items ?? []).map((i) => SentMessageSchema.parse(i));
    },
  };
}

export function dynamoArrivalStore(client: Db = db()): ArrivalStore {
  return {
    async get(leaderId, date) {
      return readItem(client, keys.arrival(leaderId, date), (i) => ArrivalSchema.parse(i));
    },
    async save(before: Arrival | undefined, after: Arrival, audit) {
      const item = { ...keys.arrival(after.leaderId, after.date), type: 'ARRIVAL', ...after };
      const failed = await guardedWrite(client, [putAtVersion(item, before?.version ?? 0), auditPut(audit)], ['stale']);
      return failed ?? 'saved';
    },
  };
}

const DocumentSchema = z.object({ revision: z.number().int(), totalFen: z.number().int(), lines: z.array(z.unknown()) });

export function dynamoPurchaseOrderFacts(client: Db = db()): PurchaseOrderFacts {
  return {
    async current(supplierId, deliveryDate, part) {
      const po = await readItem(client, keys.purchaseOrder(supplierId, deliveryDate, part), (i) => DocumentSchema.parse(i));
      return po && { revision: po.revision, kinds: po.lines.length, totalFen: po.totalFen };
    },
  };
}

/** The supplier's partition holds its profile and its members: one Query gives both. */
export function dynamoSupplierContacts(client: Db = db()): SupplierContacts {
  return {
    async phonesOf(supplierId) {
      const items = await queryAll(client, partitionOf(keys.supplier(supplierId).pk));
      const members = items.filter((i) => String(i.sk).startsWith(keys.supplierMemberPrefix)).map((i) => String(i.phone));
      if (members.length) return [...new Set(members)].sort();
      // No member added yet: the phone the operator registered the supplier with.
      const contact = items.find((i) => i.sk === keys.supplier(supplierId).sk)?.contactPhone;
      return typeof contact === 'string' ? [contact] : [];
    },
  };
}
