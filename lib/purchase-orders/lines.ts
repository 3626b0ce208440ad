// The consolidation's pure rules on the purchase-order side, in cells (one product at one supply price with
// a quantity): what a pickup point's lines must be given its running totals and what shipped parts covered,
// a part's product lines after its pickup points changed, and the differences a revision records.
import type {
  BreakdownVersion,
  PointLine,
  PurchaseOrder,
  PurchaseOrderRevisionRecord,
  PurchaseOrderTotal,
} from '../../schemas/purchase-orders';

/** What a pickup point's version holds of one product at one supply price. */
type Cell = PointLine;

export const cellKey = (c: Pick<Cell, 'productId' | 'supplyPriceFen'>) => `${c.productId}#${c.supplyPriceFen}`;
export const byText = (a: string, b: string) => a.localeCompare(b, 'zh-CN') || (a < b ? -1 : a > b ? 1 : 0);
const byLine = (a: Cell, b: Cell) => byText(a.name, b.name) || byText(a.productId, b.productId) || a.supplyPriceFen - b.supplyPriceFen;

const cellsOf = (lines: readonly Cell[] | undefined) => new Map((lines ?? []).map((l) => [cellKey(l), l]));

/**
 * What a pickup point's lines must be in the live part: its running totals, less what shipped parts already
 * covered of it (so that the parts of a supplier and date add up to the totals). Zero cells are left out.
 */
export function targetLines(totals: readonly PurchaseOrderTotal[], shipped: readonly (BreakdownVersion | undefined)[]): Cell[] {
  const cells = new Map<string, Cell>();
  for (const t of totals) {
    const cell = cells.get(cellKey(t)) ?? {
      productId: t.productId,
      name: t.name,
      unit: t.unit,
      supplyPriceFen: t.supplyPriceFen,
      quantity: 0,
    };
    cell.quantity += t.quantity;
    cells.set(cellKey(t), cell);
  }
  for (const version of shipped) {
    for (const covered of version?.lines ?? []) {
      const cell = cells.get(cellKey(covered)) ?? { ...covered, quantity: 0 };
      cell.quantity -= covered.quantity;
      cells.set(cellKey(covered), cell);
    }
  }
  return [...cells.values()].filter((c) => c.quantity !== 0).sort(byLine);
}

const canonical = (lines: readonly Cell[] | undefined) =>
  JSON.stringify(
    (lines ?? [])
      .filter((c) => c.quantity !== 0)
      .map((c) => [cellKey(c), c.quantity, c.name, c.unit])
      .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0)),
  );

/** Whether two sets of lines hold the same cells (order and zero cells aside). */
export const sameLines = (a: readonly Cell[] | undefined, b: readonly Cell[] | undefined) => canonical(a) === canonical(b);

/** The product lines of a part, given its previous ones and the change at each changed pickup point. */
export function nextLines(
  lines: readonly PurchaseOrder['lines'][number][],
  changes: readonly { before?: readonly Cell[]; after: readonly Cell[] }[],
): PurchaseOrder['lines'] {
  const byKey = new Map(lines.map((l) => [cellKey(l), { ...l }]));
  for (const change of changes) {
    for (const [sign, cells] of [
      [-1, change.before ?? []],
      [1, change.after],
    ] as const) {
      for (const c of cells) {
        const line = byKey.get(cellKey(c)) ?? {
          productId: c.productId,
          name: c.name,
          unit: c.unit,
          quantity: 0,
          supplyPriceFen: c.supplyPriceFen,
          amountFen: 0,
        };
        line.quantity += sign * c.quantity;
        if (sign === 1) Object.assign(line, { name: c.name, unit: c.unit });
        line.amountFen = line.quantity * line.supplyPriceFen;
        byKey.set(cellKey(c), line);
      }
    }
  }
  return [...byKey.values()].filter((l) => l.quantity !== 0).sort(byLine);
}

/** Per product and supply price: before, after and the difference (those the changed points touched and that moved). */
export function lineDifference(
  before: PurchaseOrder['lines'],
  after: PurchaseOrder['lines'],
  touched: Set<string>,
): PurchaseOrderRevisionRecord['lines'] {
  const was = new Map(before.map((l) => [cellKey(l), l]));
  const now = new Map(after.map((l) => [cellKey(l), l]));
  return [...touched]
    .map((key) => {
      const line = (now.get(key) ?? was.get(key))!;
      const b = was.get(key)?.quantity ?? 0;
      const a = now.get(key)?.quantity ?? 0;
      return { productId: line.productId, name: line.name, supplyPriceFen: line.supplyPriceFen, before: b, after: a, delta: a - b };
    })
    .filter((l) => l.delta !== 0 && (was.has(cellKey(l)) || now.has(cellKey(l))))
    .sort((x, y) => byText(x.name, y.name) || x.supplyPriceFen - y.supplyPriceFen);
}

/** Per pickup point and product: before, after and the difference between two versions of that point (changed cells only). */
export function pointDifference(before: BreakdownVersion | undefined, after: BreakdownVersion): PurchaseOrderRevisionCell[] {
  const was = cellsOf(before?.lines);
  const now = cellsOf(after.lines);
  return [...new Set([...was.keys(), ...now.keys()])]
    .map((key) => {
      const c = (now.get(key) ?? was.get(key))!;
      const b = was.get(key)?.quantity ?? 0;
      const a = now.get(key)?.quantity ?? 0;
      return {
        leaderId: after.leaderId,
        pickupPointName: after.pickupPointName,
        productId: c.productId,
        name: c.name,
        supplyPriceFen: c.supplyPriceFen,
        before: b,
        after: a,
        delta: a - b,
      };
    })
    .filter((c) => c.delta !== 0)
    .sort((x, y) => byText(x.name, y.name) || x.supplyPriceFen - y.supplyPriceFen);
}

export interface PurchaseOrderRevisionCell {
  leaderId: string;
  pickupPointName: string;
  productId: string;
  name: string;
  supplyPriceFen: number;
  before: number;
  after: number;
  delta: number;
}

/**
 * The breakdown of a part at `revision`, from the part's versions in storage order (by pickup point, then
 * revision, oldest first): each point's newest version at or below the revision; a point with no lines left out.
 */
export async function* breakdownAt(versions: AsyncIterable<BreakdownVersion>, revision: number): AsyncGenerator<BreakdownVersion> {
  let pending: BreakdownVersion | undefined;
  let current: string | undefined;
  for await (const version of versions) {
    if (version.leaderId !== current) {
      if (pending && pending.lines.length) yield pending;
      pending = undefined;
      current = version.leaderId;
    }
    // The last at or below the revision read is the point's lines then.
    if (version.revision <= revision) pending = version;
  }
  if (pending && pending.lines.length) yield pending;
}

/** A pickup point in one part of a purchase order: the versions of which are read together. */
export type PartPoint = Pick<BreakdownVersion, 'supplierId' | 'deliveryDate' | 'part' | 'leaderId'>;

/** A pickup point's version written by `revision` and the one it replaced, from its newest two at or below it (newest first). */
export function revisionVersions(
  newest: readonly BreakdownVersion[],
  revision: number,
): { at?: BreakdownVersion; before?: BreakdownVersion } {
  const [at, before] = newest;
  if (!at || at.revision !== revision) return {};
  return { at, ...(before ? { before } : {}) };
}
