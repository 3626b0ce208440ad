// What an audit record keeps of a change: the fields whose values differ, before and after, instead of two
// whole images (an order's were ~2 KB, 4 WCU in every transaction that changed one).

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Structural equality of stored values (JSON-like: key order does not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (!isFields(a) || !isFields(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => sameValue(a[k], b[k]));
}

/** Identifiers (`orderId`, `refundId`, …) name what a record is about, so `after` keeps them even when unchanged. */
const IDENTIFIER = /Id$/;

/**
 * `before` and `after` as an audit record keeps them: when both are objects, only their top-level fields
 * whose values differ (a field added is only in `after`, one removed only in `before`), and in `after` the
 * unchanged identifiers; a creation (no `before`) or a removal (no `after`) keeps its one image whole.
 */
export function changedFields(before: unknown, after: unknown): { before?: unknown; after?: unknown } {
  if (!isFields(before) || !isFields(after)) {
    return { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
  }
  const was: Fields = {};
  const now: Fields = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const [b, a] = [before[key], after[key]];
    if (!sameValue(b, a)) {
      if (b !== undefined) was[key] = b;
      if (a !== undefined) now[key] = a;
    } else if (IDENTIFIER.test(key) && a !== undefined) {
      now[key] = a;
    }
  }
  return { before: was, after: now };
}
