// A purchase order as CSV for the supplier's warehouse: opens cleanly in Excel (UTF-8 with a BOM,
// CRLF line ends, RFC 4180 quoting), bilingual headings, the product lines, then the breakdown per
// pickup point that the warehouse packs and routes by. Written in two pieces, the head and the rows of
// some pickup points, so that a big purchase order can come out in parts whose concatenation is the file.
import type { PickupPointBreakdown, PurchaseOrder, PurchaseOrderStatus } from '../../schemas/purchase-orders';
import type { CaseSizes } from './cases';
import { lineInCases } from './cases';

const BOM = '\uFEFF';
const CRLF = '\r\n';

const STATUS_LABELS: Record<PurchaseOrderStatus, string> = {
  issued: '已下达 issued',
  acknowledged: '已确认 acknowledged',
  shipped: '已发货 shipped',
};

/** Integer fen as yuan with two decimals, by string arithmetic (no floating point touches money). */
export function yuan(fen: number): string {
  const digits = String(Math.abs(fen)).padStart(3, '0');
  return `${fen < 0 ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * A text cell. Quoted when it holds a comma, a quote or a line break; text that Excel would run as a
 * formula (=, +, -, @ first: a pickup point's address is typed by a leader) gets a leading apostrophe.
 */
export function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A money cell: yuan written as a number, so a credit (`-10.00`) stays a number and is never defused as text. */
class Money {
  constructor(readonly fen: number) {}
}
const money = (fen: number) => new Money(fen);

type Cell = string | number | Money;
// Only text is guarded against formulas: numbers are ours, never typed in, and a leading minus is their sign.
const cell = (c: Cell) => (typeof c === 'number' ? String(c) : c instanceof Money ? yuan(c.fen) : textCell(c));
const row = (cells: Cell[]) => cells.map(cell).join(',');

/** The file's beginning: the byte order mark, the purchase order, its product lines and the breakdown's heading. */
export function csvHead(po: PurchaseOrder, caseSizes?: CaseSizes): string {
  const rows: Cell[][] = [
    ['采购单号 Purchase order', po.purchaseOrderId],
    ['供应商 Supplier', po.supplierId],
    ['送货日期 Delivery date', po.deliveryDate],
    ['状态 Status', STATUS_LABELS[po.status]],
    ['版本 Revision', po.revision],
    ...(po.supplementOf ? [['补充采购单，原单 Supplement of', po.supplementOf] as Cell[]] : []),
    ['合计金额(元) Total (CNY)', money(po.totalFen)],
    ['自提点数 Pickup points', po.pickupPointCount],
    [],
    ['商品汇总 Products'],
    [
      '商品编号 Product ID',
      '商品 Product',
      '单位 Unit',
      '数量 Quantity',
      '供货价(元) Supply price (CNY)',
      '金额(元) Amount (CNY)',
      '每箱 Case size',
      '箱数 Cases',
      '订货数量 Ordered quantity',
      '富余 Surplus',
    ],
    ...po.lines
      .map((l) => lineInCases(l, caseSizes))
      .map((l): Cell[] => [
        l.productId,
        l.name,
        l.unit,
        l.quantity,
        money(l.supplyPriceFen),
        money(l.amountFen),
        l.caseSize,
        l.cases,
        l.orderedQuantity,
        l.surplusQuantity,
      ]),
    [],
    ['自提点明细 By pickup point'],
    ['自提点 Pickup point', '地址 Address', '团长编号 Leader ID', '商品编号 Product ID', '商品 Product', '单位 Unit', '数量 Quantity'],
  ];
  return BOM + rows.map(row).join(CRLF) + CRLF;
}

/** The breakdown rows of some pickup points, one row per product, each ending in CRLF. */
export function csvRows(points: readonly PickupPointBreakdown[]): string {
  return points
    .flatMap((p) => p.lines.map((l): Cell[] => [p.pickupPointName, p.address, p.leaderId, l.productId, l.name, l.unit, l.quantity]))
    .map((cells) => row(cells) + CRLF)
    .join('');
}

/** The whole file of a purchase order whose breakdown is at hand. */
export const purchaseOrderCsv = (po: PurchaseOrder, points: readonly PickupPointBreakdown[], caseSizes?: CaseSizes) =>
  csvHead(po, caseSizes) + csvRows(points);

/** The file name offered for download (ASCII: ids and dates only). */
export const csvFileName = (po: PurchaseOrder, revision = po.revision) => `purchase-order-${po.purchaseOrderId}-r${revision}.csv`;
