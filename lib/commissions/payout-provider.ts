// The payout port (money to a leader's account, e.g. a WeChat Pay transfer), and its sandbox.

export interface PayoutRequest {
  payoutId: string;
  leaderId: string;
  amountFen: number;
  /** The provider's bill number of this attempt (a repeat of the same bill pays nothing more). */
  billNo?: string;
  /** Who receives it, for providers that pay to a WeChat account. */
  payee?: { openId: string; name: string };
}

/** `paid`: done; `submitted`: accepted, its result comes by notification; `failed`: nothing moved. */
export type PayoutOutcome =
  | { status: 'paid' }
  | { status: 'submitted'; reference: string; confirm?: { mchId: string; appId: string; package: string } }
  | { status: 'failed'; reason: string };

export interface PayoutProvider {
  /** True when a payee's WeChat OPENID is needed (商家转账). */
  readonly needsOpenId?: boolean;
  /** Pays a payout; idempotent by payoutId (and billNo): a repeat pays nothing more. */
  pay(request: PayoutRequest): Promise<PayoutOutcome>;
}

/** The provider's verdict on a transfer it accepted. */
export interface TransferResult {
  billNo: string;
  status: 'succeeded' | 'failed';
  amountFen: number;
  detail?: string;
}

/** The sandbox provider's own books: each payout recorded once, as a provider would on its side. */
export interface SandboxPayoutBooks {
  record(request: PayoutRequest & { at: string }): Promise<'recorded' | 'repeat'>;
}

export function sandboxPayoutProvider(books: SandboxPayoutBooks, now: () => Date = () => new Date()): PayoutProvider {
  return {
    async pay(request) {
      if (request.amountFen <= 0) throw new Error(`Payout ${request.payoutId} of ${request.amountFen} fen refused`);
      await books.record({ payoutId: request.payoutId, leaderId: request.leaderId, amountFen: request.amountFen, at: now().toISOString() });
      return { status: 'paid' };
    },
  };
}
