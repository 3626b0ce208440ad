// CloudBase adapter of the ReviewStore port: one review per order (`reviews`, keyed by the order id: the
// guard), a pickup point's reviews newest first by `byLeader`, and its count and rating sum
// (`reviewSummaries`, keyed by the leader) written in the same transaction, with the audit record.
import type { ReviewStore } from '../../customers/reviews';
import { ReviewSchema } from '../../../schemas/customers';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, isDuplicate, pageBy, Rollback, txDoc } from './db';

export function cloudbaseReviewStore(db: CloudBaseDb = cloudbaseDb()): ReviewStore {
  return {
    async add(review, audit) {
      try {
        return await inTransaction(db, async (tx) => {
          // oneReviewPerOrder
          const doc = txDoc(tx, COLLECTIONS.reviews, review.orderId);
          if (await doc.get()) return new Rollback<'added' | 'exists'>('exists');
          await doc.create({ ...review, byLeader: idOf(review.createdAt, review.orderId) });
          // Read and written here: two reviews of one pickup point at once conflict, and one retries.
          const summary = txDoc(tx, COLLECTIONS.reviewSummaries, review.leaderId);
          const current = await summary.get();
          await summary.set({
            leaderId: review.leaderId,
            count: Number(current?.count ?? 0) + 1,
            ratingSum: Number(current?.ratingSum ?? 0) + review.rating,
          });
          await auditAdd(tx, audit);
          return 'added' as const;
        });
      } catch (err) {
        if (isDuplicate(err)) return 'exists';
        throw err;
      }
    },

    async listOf(leaderId, limit, cursor) {
      return pageBy(db, COLLECTIONS.reviews, { leaderId }, 'byLeader', 'desc', limit, cursor, entityOf(ReviewSchema));
    },

    async summaryOf(leaderId) {
      const doc = await getDoc(db, COLLECTIONS.reviewSummaries, leaderId);
      return { count: Number(doc?.count ?? 0), ratingSum: Number(doc?.ratingSum ?? 0) };
    },
  };
}
