// DynamoDB adapter of the ReviewStore port: one review per order (in the order's partition: the guard), a
// pickup point's reviews on gsi1 newest first, and its count and rating sum ADDed in the same transaction.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ReviewStore } from '../customers/reviews';
import type { Review } from '../../schemas/customers';
import { ReviewSchema } from '../../schemas/customers';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, partitionOf, putIfNew, queryPage, tableName } from './dynamo';
import { INDEX, keys } from './keys';

export const reviewItem = (r: Review) => ({
  ...keys.review(r.orderId),
  ...keys.reviewsByLeader(r.leaderId, r.createdAt, r.orderId),
  type: 'REVIEW',
  ...r,
});

export function dynamoReviewStore(client: Db = db()): ReviewStore {
  return {
    async add(review, audit) {
      const failed = await guardedWrite(
        client,
        [
          // oneReviewPerOrder
          putIfNew(reviewItem(review)),
          {
            Update: {
              TableName: tableName(),
              Key: keys.reviewSummary(review.leaderId),
              UpdateExpression: 'SET #type = :type, leaderId = :leader ADD #count :one, ratingSum :rating',
              ExpressionAttributeNames: { '#type': 'type', '#count': 'count' },
              ExpressionAttributeValues: { ':type': 'REVIEW_SUMMARY', ':leader': review.leaderId, ':one': 1, ':rating': review.rating },
            },
          },
          auditPut(audit),
        ],
        ['exists'],
      );
      return failed ?? 'added';
    },

    async listOf(leaderId, limit, cursor) {
      const newestFirst = { ...partitionOf(keys.reviewsByLeaderPartition(leaderId), INDEX.byGsi1), ScanIndexForward: false };
      return queryPage(client, newestFirst, (i) => ReviewSchema.parse(i), limit, cursor);
    },

    async summaryOf(leaderId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.reviewSummary(leaderId) }));
      return { count: Number(Item?.count ?? 0), ratingSum: Number(Item?.ratingSum ?? 0) };
    },
  };
}
