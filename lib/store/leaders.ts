// DynamoDB adapter of the LeaderStore port.
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LeaderStore } from '../leaders/leaders';
import { LeaderSchema, type Leader } from '../../schemas/leaders';
import { auditPut } from './audit';
import { atVersion, cancellationReasons, db, queryAll, queryPage, tableName, transactWrite, type Db } from './dynamo';
import { INDEX, keys } from './keys';

const toItem = (leader: Leader) => ({
  ...keys.leader(leader.leaderId),
  ...keys.leadersByStatus(leader.status, leader.createdAt, leader.leaderId),
  ...(leader.referredBy ? keys.recruits(leader.referredBy, leader.createdAt, leader.leaderId) : {}),
  type: 'LEADER',
  ...leader,
});

const fromItem = (item: Record<string, unknown> | undefined) => (item ? LeaderSchema.parse(item) : undefined);

export function dynamoLeaderStore(client: Db = db()): LeaderStore {
  // Strongly consistent: reviews, pickups and payouts decide on the leader's current status.
  const get = async (leaderId: string) =>
    fromItem((await client.send(new GetCommand({ TableName: tableName(), Key: keys.leader(leaderId), ConsistentRead: true }))).Item);

  const pointer = async (key: { pk: string; sk: string }) =>
    (await client.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item?.leaderId as string | undefined;

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
      try {
        await transactWrite(client, [
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
        ]);
        return 'created';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.[0] === 'ConditionalCheckFailed') return 'user_has_leader';
        if (reasons?.[1] === 'ConditionalCheckFailed') return 'code_taken';
        throw err;
      }
    },
    async update(before, after, audit, groupBuys) {
      const unchanged = atVersion(before.version);
      // Each open group buy of a suspended leader carries the mark that ordering checks (groupStillOpen).
      const marks = (groupBuys?.ids ?? []).map((id) => ({
        Update: {
          TableName: tableName(),
          Key: keys.groupBuy(id),
          UpdateExpression: groupBuys!.suspended ? 'SET leaderSuspended = :yes' : 'REMOVE leaderSuspended',
          ConditionExpression: 'attribute_exists(pk)',
          ...(groupBuys!.suspended ? { ExpressionAttributeValues: { ':yes': true } } : {}),
        },
      }));
      try {
        await transactWrite(client, [
          ...marks,
          {
            Put: {
              TableName: tableName(),
              Item: toItem({ ...after, version: before.version + 1 }),
              // Optimistic lock: nobody changed the leader since we read it.
              ConditionExpression: unchanged.condition,
              ExpressionAttributeNames: unchanged.names,
              ...(Object.keys(unchanged.values).length ? { ExpressionAttributeValues: unchanged.values } : {}),
            },
          },
          auditPut(audit),
        ]);
        return 'updated';
      } catch (err) {
        if (cancellationReasons(err)?.[marks.length] === 'ConditionalCheckFailed') return 'stale';
        throw err;
      }
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
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: INDEX.byGsi2,
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.recruitsPartition(recruiterId) },
        }),
      );
      return (Items ?? []).map((i) => LeaderSchema.parse(i));
    },
    async listByStatus(status, limit, cursor) {
      return queryPage(
        client,
        {
          TableName: tableName(),
          IndexName: INDEX.byGsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.leadersByStatusPartition(status) },
        },
        (i) => LeaderSchema.parse(i),
        limit,
        cursor,
      );
    },
  };
}
