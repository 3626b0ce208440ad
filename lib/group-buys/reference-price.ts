// The 划线价 (reference price) a group buy item may show, and nothing else: the regulators' 九不得 forbid an
// invented 原价. Only a real sale of the same product at a higher unit price in the 7 days before the group
// buy opened backs one, and then it is the lowest such price (the most modest claim the evidence allows).

/** A unit price a product was paid at on one business date, with the first and last instants it was paid. */
export interface PaidPrice {
  unitPriceFen: number;
  firstPaidAt: string;
  lastPaidAt: string;
}

export const REFERENCE_PRICE_DAYS = 7;

/** The reference price for an item at `groupPriceFen` opened at `openedAt`, or undefined when no sale backs one. */
export function referencePrice(evidence: PaidPrice[], groupPriceFen: number, openedAt: Date): number | undefined {
  const from = openedAt.getTime() - REFERENCE_PRICE_DAYS * 86_400_000;
  const to = openedAt.getTime();
  // A day's record backs the price if it was paid at some instant inside the window: its first payment before
  // the opening, its last one inside the 7 days (a day straddling a boundary counts when either end is inside).
  const backed = evidence.filter((e) => {
    const first = Date.parse(e.firstPaidAt);
    const last = Date.parse(e.lastPaidAt);
    return e.unitPriceFen > groupPriceFen && ((first >= from && first < to) || (last >= from && last < to));
  });
  return backed.length ? Math.min(...backed.map((e) => e.unitPriceFen)) : undefined;
}
