// The CSV a supplier downloads: Excel-ready encoding, quoting, and no formulas from typed-in text.
import type { PickupPointBreakdown, PurchaseOrder } from '../../schemas/purchase-orders';
import { inCases } from './cases';
import { csvHead, csvRows, purchaseOrderCsv, textCell, yuan } from './csv';

const po: PurchaseOrder = {
  purchaseOrderId: 'S1-2026-11-26',
  supplierId: 'S1',
  deliveryDate: '2026-11-26',
  part: 1,
  status: 'issued',
  revision: 2,
  lines: [{ productId: 'P1', name: '草莓', unit: '盒', quantity: 5, supplyPriceFen: 1250, amountFen: 6250 }],
  totalFen: 6250,
  pickupPointCount: 1,
  issuedAt: '2026-11-25T15:01:00.000Z',
  updatedAt: '2026-11-25T15:01:00.000Z',
};
const points: PickupPointBreakdown[] = [
  {
    leaderId: 'L1',
    pickupPointName: '老王便利店 "东门"',
    address: '和平路 8 号, 2 楼',
    lines: [{ productId: 'P1', name: '草莓', unit: '盒', supplyPriceFen: 1250, quantity: 5 }],
  },
];

test('money is shown in yuan from integer fen', () => {
  expect([yuan(0), yuan(5), yuan(1250), yuan(-1500), yuan(123456789)]).toEqual(['0.00', '0.05', '12.50', '-15.00', '1234567.89']);
});

test('cells with commas, quotes or line breaks are quoted; formula-like text is defused', () => {
  expect(textCell('草莓')).toBe('草莓');
  expect(textCell('a,b')).toBe('"a,b"');
  expect(textCell('say "hi"')).toBe('"say ""hi"""');
  expect(textCell('line\nbreak')).toBe('"line\nbreak"');
  expect(textCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
  expect(textCell('-1')).toBe("'-1");
});

test('a BOM, CRLF line ends, bilingual headings, the lines and then the breakdown per pickup point', () => {
  const csv = purchaseOrderCsv(po, points);
  expect(csv.startsWith('\uFEFF采购单号 Purchase order,S1-2026-11-26\r\n')).toBe(true);
  expect(csv.endsWith('\r\n')).toBe(true);
  expect(csv.replace(/\r\n/g, '')).not.toMatch(/\n/);
  const rows = csv.slice(1).split('\r\n');
  expect(rows).toContain(
    '商品编号 Product ID,商品 Product,单位 Unit,数量 Quantity,供货价(元) Supply price (CNY),金额(元) Amount (CNY),' +
      '每箱 Case size,箱数 Cases,订货数量 Ordered quantity,富余 Surplus',
  );
  expect(rows).toContain('P1,草莓,盒,5,12.50,62.50,1,5,5,0');
  expect(rows).toContain('"老王便利店 ""东门""","和平路 8 号, 2 楼",L1,P1,草莓,盒,5');
  expect(rows.indexOf('P1,草莓,盒,5,12.50,62.50,1,5,5,0')).toBeLessThan(rows.findIndex((r) => r.startsWith('"老王便利店')));
});

test('written in parts (the head, then rows of some pickup points), the parts concatenated are the file', () => {
  const more: PickupPointBreakdown[] = [
    ...points,
    { leaderId: 'L2', pickupPointName: '芳芳小卖部', address: '幸福路 1 号', lines: [{ ...points[0]!.lines[0]!, quantity: 2 }] },
  ];
  expect(csvHead(po) + csvRows(more.slice(0, 1)) + csvRows(more.slice(1))).toBe(purchaseOrderCsv(po, more));
  expect(csvRows(more.slice(1))).toBe('芳芳小卖部,幸福路 1 号,L2,P1,草莓,盒,2\r\n');
  expect(csvRows([])).toBe('');
});

test("a supplement's credits stay numbers: negative money and quantities are not defused into text", () => {
  const supplement: PurchaseOrder = {
    ...po,
    purchaseOrderId: 'S1-2026-11-26-p2',
    part: 2,
    supplementOf: 'S1-2026-11-26',
    lines: [{ productId: 'P1', name: '草莓', unit: '盒', quantity: -1, supplyPriceFen: 1000, amountFen: -1000 }],
    totalFen: -1000,
  };
  const credits: PickupPointBreakdown[] = [
    {
      leaderId: 'L1',
      pickupPointName: '-东门店',
      address: '=cmd|x',
      lines: [{ productId: 'P1', name: '草莓', unit: '盒', supplyPriceFen: 1000, quantity: -1 }],
    },
  ];
  const rows = purchaseOrderCsv(supplement, credits).slice(1).split('\r\n');
  expect(rows).toContain('合计金额(元) Total (CNY),-10.00');
  expect(rows).toContain('P1,草莓,盒,-1,10.00,-10.00,1,-1,-1,0');
  // Typed-in text is still defused, whatever its first character.
  expect(rows).toContain("'-东门店,'=cmd|x,L1,P1,草莓,盒,-1");
});

test('whole cases: quantities rounded up to the case size, with the surplus that adds', () => {
  expect(inCases(5, 4)).toEqual({ cases: 2, orderedQuantity: 8, surplusQuantity: 3 });
  expect(inCases(8, 4)).toEqual({ cases: 2, orderedQuantity: 8, surplusQuantity: 0 });
  expect(inCases(1, 12)).toEqual({ cases: 1, orderedQuantity: 12, surplusQuantity: 11 });
  expect(inCases(7, 1)).toEqual({ cases: 7, orderedQuantity: 7, surplusQuantity: 0 });
  expect(inCases(0, 6)).toEqual({ cases: 0, orderedQuantity: 0, surplusQuantity: 0 });
  // A supplement's credit of less than a case: no case comes back, the units are surplus.
  expect(inCases(-3, 6)).toEqual({ cases: 0, orderedQuantity: 0, surplusQuantity: 3 });
  expect(inCases(-7, 6)).toEqual({ cases: -1, orderedQuantity: -6, surplusQuantity: 1 });

  const rows = purchaseOrderCsv(po, points, new Map([['P1', 4]]))
    .slice(1)
    .split('\r\n');
  expect(rows).toContain('P1,草莓,盒,5,12.50,62.50,4,2,8,3');
  // Cases are of the product lines: the breakdown per pickup point is in units, as residents ordered.
  expect(rows).toContain('"老王便利店 ""东门""","和平路 8 号, 2 楼",L1,P1,草莓,盒,5');
});
