// DynamoDB capacity by AWS's published rules, computed from item sizes (DynamoDB Local reports a flat
// 2 for any transaction, so its ConsumedCapacity can't be trusted):
//  - write: 1 WCU per 1 KB (rounded up) of the item; in a transaction, 2 WCU per KB;
//  - each GSI whose key attributes the item carries: one more (non-transactional) write of the
//    projected item (ALL here), two when an index key changes (delete + put), one when the item leaves
//    the index (a delete); none when it is in the index neither before nor after;
//  - read: eventually consistent 0.5 RCU per 4 KB, strongly consistent 1, transactional 2.

/** Item size in bytes by DynamoDB's rules: names plus values. */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') {
    // Significant digits: leading and trailing zeroes don't count (1000 is one digit, 0.05 one).
    const digits = Math.abs(value).toExponential().split('e')[0]!.replace('.', '').length;
    return Math.ceil(digits / 2) + 1;
  }
  if (typeof value === 'boolean') return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((s, [k, v]) => s + 1 + Buffer.byteLength(k) + valueSize(v), 0);
  }
  return 0;
}

export const GSI_KEYS = ['gsi1pk', 'gsi2pk', 'gsi3pk'];

export const writeUnits = (bytes: number, transactional: boolean) => Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
export const readUnits = (bytes: number, kind: 'eventual' | 'strong' | 'transactional') =>
  Math.max(1, Math.ceil(bytes / 4096)) * (kind === 'eventual' ? 0.5 : kind === 'strong' ? 1 : 2);

/** What an item is in the indexes: each GSI's key (undefined: not in that index) and the item's size. */
export interface IndexState {
  keys: (string | undefined)[];
  size: number;
}

export function indexState(item: Record<string, unknown>): IndexState {
  const keys = GSI_KEYS.map((pk) => (item[pk] === undefined ? undefined : JSON.stringify([item[pk], item[pk.replace(/pk$/, 'sk')]])));
  return { keys, size: itemSize(item) };
}

/** The index writes of an item that was `before` (undefined: new) and is now `after`, by the rules above. */
export function indexWrites(before: IndexState | undefined, after: IndexState): number {
  let units = 0;
  after.keys.forEach((now, i) => {
    const was = before?.keys[i];
    if (now !== undefined) units += writeUnits(after.size, false);
    if (was !== undefined && was !== now) units += writeUnits(before!.size, false);
  });
  return units;
}

/**
 * WCU of writing `item` (base table, transactional or not, plus its GSI writes). `before`: the item it
 * replaces, when known (an index key that changes is a delete and a put; undefined: a new item).
 */
export function putUnits(item: Record<string, unknown>, transactional: boolean, before?: IndexState): number {
  const after = indexState(item);
  return writeUnits(after.size, transactional) + indexWrites(before, after);
}
