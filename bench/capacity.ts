// DynamoDB capacity by AWS's published rules, computed from item sizes (DynamoDB Local reports a flat
// 2 for any transaction, so its ConsumedCapacity can't be trusted):
//  - write: 1 WCU per 1 KB (rounded up) of the item; in a transaction, 2 WCU per KB;
//  - each GSI whose key attributes the item carries: one more (non-transactional) write of the
//    projected item, two when an index key changes (delete + put), one when the item leaves the index (a
//    delete); none when it is in the index neither before nor after. A KEYS_ONLY index is written only when
//    its key is: a change that keeps the key projects nothing new (and its entry, keys alone, is under 1 KB);
//  - read: eventually consistent 0.5 RCU per 4 KB, strongly consistent 1, transactional 2.
import table from '../infra/table.json';

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

/** The table's indexes (infra/table.json, what serverless.yml deploys): key attributes and projection. */
export const INDEXES = table.GlobalSecondaryIndexes.map((i) => ({
  pk: i.KeySchema[0]!.AttributeName,
  sk: i.KeySchema[1]?.AttributeName,
  keysOnly: i.Projection.ProjectionType === 'KEYS_ONLY',
}));

export const writeUnits = (bytes: number, transactional: boolean) => Math.max(1, Math.ceil(bytes / 1024)) * (transactional ? 2 : 1);
export const readUnits = (bytes: number, kind: 'eventual' | 'strong' | 'transactional') =>
  Math.max(1, Math.ceil(bytes / 4096)) * (kind === 'eventual' ? 0.5 : kind === 'strong' ? 1 : 2);

/** What an item is in the indexes: each GSI's key (undefined: not in that index) and the item's size. */
export interface IndexState {
  keys: (string | undefined)[];
  size: number;
}

export function indexState(item: Record<string, unknown>): IndexState {
  const keys = INDEXES.map(({ pk, sk }) => (item[pk] === undefined ? undefined : JSON.stringify([item[pk], sk && item[sk]])));
  return { keys, size: itemSize(item) };
}

/** The writes of one index entry: the item's projection, or its keys alone (under 1 KB) for a KEYS_ONLY index. */
const entryUnits = (index: number, size: number) => (INDEXES[index]!.keysOnly ? 1 : writeUnits(size, false));

/** The index writes of an item that was `before` (undefined: new) and is now `after`, by the rules above. */
export function indexWrites(before: IndexState | undefined, after: IndexState): number {
  let units = 0;
  after.keys.forEach((now, i) => {
    const was = before?.keys[i];
    if (now !== undefined && (now !== was || !INDEXES[i]!.keysOnly)) units += entryUnits(i, after.size);
    if (was !== undefined && was !== now) units += entryUnits(i, before!.size);
  });
  return units;
}

/** The index writes of an update that keeps the item's keys: one per index it is in that projects more than keys. */
export function updateIndexWrites(state: IndexState | undefined): number {
  return state
    ? state.keys.reduce((units: number, k, i) => units + (k !== undefined && !INDEXES[i]!.keysOnly ? writeUnits(state.size, false) : 0), 0)
    : 0;
}

/**
 * WCU of writing `item` (base table, transactional or not, plus its GSI writes). `before`: the item it
 * replaces, when known (an index key that changes is a delete and a put; undefined: a new item).
 */
export function putUnits(item: Record<string, unknown>, transactional: boolean, before?: IndexState): number {
  const after = indexState(item);
  return writeUnits(after.size, transactional) + indexWrites(before, after);
}
