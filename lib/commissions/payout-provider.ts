// The payout port (money to a leader's account, e.g. a WeChat Pay transfer), and its sandbox.

export interface PayoutRequest {
  payoutId: string;
  leaderId: string;
  amountFen: number;
}

export interface PayoutProvider {
  /** Pays a payout; idempotent by payoutId (a repeat pays nothing more). */
  pay(request: PayoutRequest): Promise<void>;
}

/** The sandbox provider's own books: each payout recorded once, as a provider would on its side. */
export interface SandboxPayoutBooks {
  record(request: PayoutRequest & { at: string }): Promise<'recorded' | 'repeat'>;
}

export function sandboxPayoutProvider(books: SandboxPayoutBooks, now: () => Date = () => new Date()): PayoutProvider {
  return {
    async pay(request) {
      if (request.amountFen <= 0) throw new Error(`Payout ${request.payoutId} of ${request.amountFen} fen refused`);
      await books.record({ ...request, at: now().toISOString() });
    },
  };
}
