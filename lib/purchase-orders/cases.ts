// Suppliers ship whole cases: a purchase-order line's quantity (what residents ordered) rounded up to
// the product's case size, and the surplus that rounding adds. Worked out from the line as it stands,
// so it is exact at every revision.
import type { PurchaseOrderLine } from '../../schemas/purchase-orders';

export interface Cases {
  cases: number;
  orderedQuantity: number;
  surplusQuantity: number;
}

/**
 * cases = ceil(quantity / caseSize), orderedQuantity = cases × caseSize, surplus = orderedQuantity − quantity.
 * A supplement's credit (a negative quantity) follows the same formula: a credit of less than a case is
 * 0 cases (the case already shipped stays shipped) and its units are surplus.
 */
export function inCases(quantity: number, caseSize: number): Cases {
  const size = Number.isInteger(caseSize) && caseSize >= 1 ? caseSize : 1;
  const cases = Math.ceil(quantity / size) || 0; // `|| 0`: no -0 in JSON's eyes or a test's
  const orderedQuantity = cases * size;
  return { cases, orderedQuantity, surplusQuantity: orderedQuantity - quantity };
}

/** Case sizes by product id; a product not found (or listed before cases existed) ships by the unit. */
export type CaseSizes = ReadonlyMap<string, number>;

export const caseSizeOf = (caseSizes: CaseSizes | undefined, productId: string) => caseSizes?.get(productId) ?? 1;

/** A purchase-order line with its case size and cases. */
export const lineInCases = (line: PurchaseOrderLine, caseSizes: CaseSizes | undefined) => {
  const caseSize = caseSizeOf(caseSizes, line.productId);
  return { ...line, caseSize, ...inCases(line.quantity, caseSize) };
};
