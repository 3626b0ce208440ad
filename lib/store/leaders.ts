// DynamoDB adapter of the LeaderStore port.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LeaderStore } from '../leaders/leaders';
import type { Leader } from '../../schemas/leaders';
import { LeaderSchema } from '../../schemas/leaders';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, partitionOf, putAtVersion, queryAll, queryPage, readItem, tableName } from './dynamo';
import type { Key } from './keys';
import { gateMark } from './gate';
import { withCapacity } from './places';
import { INDEX, keys } from './keys';

const toItem = (leader: Leader) => ({
  ...keys.leader(leader.leaderId),
  ...keys.leadersByStatus(leader.status, leader.createdAt, leader.leaderId),
  ...(leader.referredBy ? keys.recruits(leader.referredBy, leader.createdAt, leader.leaderId) : {}),
  type: 'LEADER',
  ...leader,
});

export function dynamoLeaderStore(client: Db = db()): LeaderStore {
  // Strongly consistent: reviews, pickups and payouts decide on the leader's current status.
  const get = (leaderId: string) => readItem(client, keys.leader(leaderId), (i) => LeaderSchema.parse(i));

  const pointer = async (key: Key) => (await readItem(client, key))?.leaderId as string | undefined;

  return {
    get,
    async getByUser(userId) {
      const leaderId = await pointer(keys.userLeader(userId));
      return leaderId ? get(leaderId) : undefined;
    },
    async findByReferralCode(code) {
      const leaderId = await pointer(keys.referralCode(code));
      return leaderId ? get(leaderId) : undefined;
    },
    async create(leader, audit) {
      const table = tableName();
      const isNew = 'attribute_not_exists(pk)';
      const failed = await guardedWrite(
        client,
        [
          {
            Put: {
              TableName: table,
              Item: { ...keys.userLeader(leader.userId), type: 'USER_LEADER', leaderId: leader.leaderId },
              ConditionExpression: isNew,
            },
          },
          {
            Put: {
              TableName: table,
              Item: { ...keys.referralCode(leader.referralCode), type: 'REFCODE', leaderId: leader.leaderId },
              ConditionExpression: isNew,
            },
          },
          { Put: { TableName: table, Item: toItem(leader), ConditionExpression: isNew } },
          auditPut(audit),
        ],
        ['user_has_leader', 'code_taken'],
      );
      return failed ?? 'created';
    },
    async update(before, after, audit, groupBuys, capacityDates = []) {
      // Each open group buy of a suspended leader carries the mark: on its gate, which ordering checks, and on
      // the group buy, which its readers show (closed to residents). Two items a group buy: 49 open at most.
      const marks = (groupBuys?.ids ?? []).flatMap((id) => [
        {
          Update: {
            TableName: tableName(),
            Key: keys.groupBuy(id),
            UpdateExpression: groupBuys!.suspended ? 'SET leaderSuspended = :yes' : 'REMOVE leaderSuspended',
            ConditionExpression: 'attribute_exists(pk)',
            ...(groupBuys!.suspended ? { ExpressionAttributeValues: { ':yes': true } } : {}),
          },
        },
        gateMark(id, groupBuys!.suspended),
      ]);
      // Optimistic lock: nobody changed the leader since we read it.
      const unchanged = putAtVersion(toItem({ ...after, version: before.version + 1 }), before.version);
      // The places counters of those dates carry the new capacity, what each order's take checks, and the gates
      // of their group buys say where places are kept (places.ts).
      const failed = await withCapacity(client, after.leaderId, capacityDates, after.pickupPoint.dailyOrderCapacity, (caps) =>
        guardedWrite(client, [unchanged, ...marks, ...caps, auditPut(audit)], ['stale'] as const),
      );
      return failed ?? 'updated';
    },
    async openGroupBuysOf(leaderId) {
      const items = await queryAll(client, {
        TableName: tableName(),
        IndexName: INDEX.byGsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        FilterExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pk': keys.groupBuysByLeaderPartition(leaderId), ':open': 'open' },
        ProjectionExpression: 'groupBuyId',
      });
      return items.map((i) => String(i.groupBuyId));
    },
    async recruitsOf(recruiterId) {
      const { Items } = await client.send(new QueryCommand(partitionOf(keys.recruitsPartition(recruiterId), INDEX.byGsi2)));
      return (Items ?? []).map((i) => LeaderSchema.parse(i));
    },
    async listByStatus(status, limit, cursor) {
      const byStatus = partitionOf(keys.leadersByStatusPartition(status), INDEX.byGsi1);
      return queryPage(client, byStatus, (i) => LeaderSchema.parse(i), limit, cursor);
    },
  };
}
