// Every request schema: each string bounded, free text refusing control characters and bidirectional
// overrides (400 naming the field), trimmed and NFC-normalised; money bounded so that a price times a
// quantity, a line count and a rate never leaves the safe integers.
import type { z } from 'zod';
import { AppError } from '../lib/runtime/errors';
import { parseWith } from '../lib/runtime/http';
import * as auth from './auth';
import * as catalogue from './catalogue';
import * as commissions from './commissions';
import * as common from './common';
import * as groupBuys from './group-buys';
import * as leaders from './leaders';
import * as orders from './orders';
import * as pickups from './pickups';
import * as purchaseOrders from './purchase-orders';
import { BpsSchema, FenSchema, MAX_LINE_QUANTITY, MAX_ORDER_LINES, NameSchema, OrderFenSchema, safeText } from './common';

const modules = { auth, catalogue, commissions, common, groupBuys, leaders, orders, pickups, purchaseOrders };

/** What a client sends: bodies, queries, path parameters, headers and the payment provider's notification. */
const requestSchemas = Object.entries(modules).flatMap(([mod, exports]) =>
  Object.entries(exports as Record<string, unknown>)
    .filter(([name]) => /(Body|Query|Path)Schema$/.test(name) || ['PaymentNotificationSchema', 'IdempotencyKeySchema'].includes(name))
    .map(([name, schema]) => ({ name: `${mod}.${name}`, schema: schema as z.ZodType })),
);

interface Leaf {
  path: string;
  schema: z.ZodString;
}

/** The parts of a zod 4 schema's definition this walk reads (each present for the types that have it). */
interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  innerType?: z.ZodType;
}

/** The string-typed inputs inside a schema, by their path. */
function stringLeaves(schema: z.ZodType, path: string): Leaf[] {
  const def = (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
  switch (def.type) {
    case 'string':
      return [{ path, schema: schema as z.ZodString }];
    case 'object':
      return Object.entries(def.shape!).flatMap(([k, v]) => stringLeaves(v, `${path}.${k}`));
    case 'array':
      return stringLeaves(def.element!, `${path}[]`);
    case 'union':
      return def.options!.flatMap((o, i) => stringLeaves(o, `${path}|${i}`));
    case 'pipe':
      return stringLeaves(def.in!, path);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return stringLeaves(def.innerType!, path);
    default:
      return [];
  }
}

const leaves = requestSchemas.flatMap(({ name, schema }) => stringLeaves(schema, name));
// A share token is checked by its signature: a malformed token is always INVALID_SHARE_LINK, not a validation error.
const verifiedElsewhere = (leaf: Leaf) => /\.shareToken$/.test(leaf.path);

test('the walk finds the request schemas and their text fields', () => {
  expect(requestSchemas.length).toBeGreaterThan(20);
  const paths = leaves.map((l) => l.path);
  expect(paths).toEqual(
    expect.arrayContaining([
      'leaders.ApplyLeaderBodySchema.pickupPoint.address',
      'orders.PlaceOrderBodySchema.note',
      'orders.RefundBodySchema.reason',
      'catalogue.CreateProductBodySchema.unit',
      'groupBuys.CreateGroupBuyBodySchema.title',
      'groupBuys.ShareTokenPathSchema.shareToken',
    ]),
  );
});

test('every string in every request schema has a maximum length', () => {
  const unbounded = leaves.filter((l) => l.schema.maxLength === null || l.schema.maxLength > 4096).map((l) => l.path);
  expect(unbounded).toEqual([]);
});

const FORBIDDEN = [
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\u001b',
  '\u007f',
  '\u0080',
  '\u0085',
  '\u009f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
];

test('every string in every request schema refuses C0/C1 control characters and bidirectional overrides', () => {
  const accepting = leaves
    .filter((l) => !verifiedElsewhere(l))
    .flatMap((l) =>
      FORBIDDEN.filter((c) => l.schema.safeParse(`ab${c}cd`).success).map((c) => `${l.path} accepts U+${c.codePointAt(0)!.toString(16)}`),
    );
  expect(accepting).toEqual([]);
});

describe('free text', () => {
  test('is trimmed and NFC-normalised before its length is checked', () => {
    expect(NameSchema.parse('  王芳  ')).toBe('王芳');
    expect(NameSchema.parse('Cafe\u0301')).toBe('Caf\u00e9');
    expect(safeText(4).parse('e\u0301e\u0301e\u0301e\u0301')).toBe('\u00e9\u00e9\u00e9\u00e9');
    expect(safeText(4).safeParse('abcde').success).toBe(false);
    expect(safeText(4).safeParse('   ').success).toBe(false);
    expect(safeText(4, 0).parse('   ')).toBe('');
  });

  test('keeps ordinary text: Chinese, emoji, punctuation, inner spaces, zero-width joiners', () => {
    for (const text of ['幸福路 1 号，2 楼', '🍓 草莓 (500g)', 'O\'Brien & Sons – "东门"', '👩‍👩‍👧', 'العربية', '=SUM(A1)'])
      expect(safeText(100).parse(text)).toBe(text);
  });

  test('a forbidden character is 400 VALIDATION_FAILED naming the field', () => {
    const body = {
      name: '王芳',
      phone: '13800001234',
      pickupPoint: { name: '芳芳小卖部', address: '幸福路\u202e1号', community: '幸福小区', city: '上海' },
    };
    const err = (() => {
      try {
        parseWith(leaders.ApplyLeaderBodySchema, body);
      } catch (e) {
        return e as AppError;
      }
      throw new Error('accepted');
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.status).toBe(400);
    expect(err.details).toEqual([{ path: 'pickupPoint.address', message: expect.stringMatching(/control characters|bidirectional/) }]);
  });
});

describe('money', () => {
  test('the largest price × the largest quantity × the most lines × 10 000 bps stays below 2^53', () => {
    const maxPrice = FenSchema.maxValue!;
    expect(maxPrice).toBe(10_000_000);
    expect(maxPrice * MAX_LINE_QUANTITY * MAX_ORDER_LINES * BpsSchema.maxValue!).toBeLessThan(2 ** 53);
    // Any amount (a refund, a payment) is at most an order's largest total: times a rate, still safe.
    expect(OrderFenSchema.maxValue).toBe(maxPrice * MAX_LINE_QUANTITY * MAX_ORDER_LINES);
    expect(OrderFenSchema.maxValue! * BpsSchema.maxValue!).toBeLessThan(2 ** 53);
  });

  test('the bounds are the ones the schemas enforce', () => {
    expect(FenSchema.safeParse(FenSchema.maxValue! + 1).success).toBe(false);
    expect(OrderFenSchema.safeParse(OrderFenSchema.maxValue! + 1).success).toBe(false);
    expect(BpsSchema.safeParse(10_001).success).toBe(false);
    const order = (items: { productId: string; quantity: number }[]) =>
      orders.PlaceOrderBodySchema.safeParse({ shareToken: 't', items, contactName: '王', contactPhone: '13800001234' }).success;
    expect(order([{ productId: 'p', quantity: MAX_LINE_QUANTITY }])).toBe(true);
    expect(order([{ productId: 'p', quantity: MAX_LINE_QUANTITY + 1 }])).toBe(false);
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ productId: `p${i}`, quantity: 1 }));
    expect(order(lines(MAX_ORDER_LINES))).toBe(true);
    expect(order(lines(MAX_ORDER_LINES + 1))).toBe(false);
    expect(orders.MAX_ORDER_LINES).toBe(MAX_ORDER_LINES);
  });
});
