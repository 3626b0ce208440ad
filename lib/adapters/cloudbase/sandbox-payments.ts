// The sandbox provider's own books on CloudBase (the provider's side of the local stage's sandbox): a
// `sandboxPayments` document per payment taken, with what was refunded of it, and a `sandboxRefunds` document
// per refund, keyed by payment and refundId, written in one transaction with the payment's sum, so a refund
// repeated is one refund and the refunds of a payment never pass what it took (as on DynamoDB).
import type { SandboxLedger } from '../../payments/sandbox';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, inTransaction, Rollback, txDoc } from './db';

type RefundOutcome = Awaited<ReturnType<SandboxLedger['recordRefund']>>;

export function cloudbaseSandboxLedger(db: CloudBaseDb = cloudbaseDb()): SandboxLedger {
  const _ = db.command;
  return {
    async recordPayment(payment) {
      await db
        .collection(COLLECTIONS.sandboxPayments)
        .doc(payment.paymentId)
        .set({ ...payment, refundedFen: 0 });
    },
    recordRefund: (refund) =>
      inTransaction(db, async (tx): Promise<RefundOutcome | Rollback<RefundOutcome>> => {
        const payment = await txDoc(tx, COLLECTIONS.sandboxPayments, refund.paymentId).get();
        if (!payment) return new Rollback('unknown_payment');
        const record = txDoc(tx, COLLECTIONS.sandboxRefunds, idOf(refund.paymentId, refund.refundId));
        if (await record.get()) return new Rollback('repeat');
        if (Number(payment.refundedFen) + refund.amountFen > Number(payment.amountFen)) return new Rollback('exceeds');
        await record.create({ ...refund });
        // Written, not only read: two refunds of one payment at once conflict, and one is decided again.
        await txDoc(tx, COLLECTIONS.sandboxPayments, refund.paymentId).update({ refundedFen: _.inc(refund.amountFen) });
        return 'recorded';
      }),
  };
}
