// The ids of purchase orders: part 1 is named by its supplier and delivery date; a supplement (part 2, 3, …)
// adds its part number.

/** `<supplierId>-<deliveryDate>` for part 1, `<supplierId>-<deliveryDate>-<part>` for a supplement. */
export function purchaseOrderIdOf(supplierId: string, deliveryDate: string, part: number): string {
  return part === 1 ? `${supplierId}-${deliveryDate}` : `${supplierId}-${deliveryDate}-${part}`;
}

export function parsePurchaseOrderId(id: string): { supplierId: string; deliveryDate: string; part: number } | undefined {
  const match = /^(.+)-(\d{4}-\d{2}-\d{2})(?:-(\d{1,3}))?$/.exec(id);
  if (!match) return undefined;
  const part = match[3] === undefined ? 1 : Number(match[3]);
  // Part 1 has no suffix: `…-1` or `…-02` would be a second name for an existing document.
  if (match[3] !== undefined && (part < 2 || String(part) !== match[3])) return undefined;
  return { supplierId: match[1]!, deliveryDate: match[2]!, part };
}
