// Capacity by AWS's published rules, checked against sizes and units computed by hand.
import { indexState, itemSize, putUnits, readUnits, updateIndexWrites, writeUnits } from './capacity';

describe('itemSize', () => {
  it('counts a string attribute as its name plus its UTF-8 bytes', () => {
    expect(itemSize({ name: 'abc' })).toBe(4 + 3);
    // 名 is 3 bytes in UTF-8, 张三 6.
    expect(itemSize({ 名: '张三' })).toBe(3 + 6);
    expect(itemSize({ pk: 'ORDER#1', sk: 'META' })).toBe(2 + 7 + (2 + 4));
  });

  it('counts a number as 1 byte per two significant digits plus 1', () => {
    expect(itemSize({ n: 123 })).toBe(1 + (2 + 1)); // 3 digits → 2 + 1
    expect(itemSize({ n: 12 })).toBe(1 + (1 + 1));
    expect(itemSize({ n: 0 })).toBe(1 + (1 + 1));
    expect(itemSize({ n: -1.5 })).toBe(1 + (1 + 1)); // sign and point are not digits
    // Leading and trailing zeroes are trimmed: 1000 and 0.05 are one significant digit each.
    expect(itemSize({ n: 1000 })).toBe(1 + (1 + 1));
    expect(itemSize({ n: 0.05 })).toBe(1 + (1 + 1));
    expect(itemSize({ ttl: 1_748_000_123 })).toBe(3 + (5 + 1)); // 10 digits → 5 + 1
  });

  it('counts booleans and nulls as 1 byte, binary as its length', () => {
    expect(itemSize({ ok: true })).toBe(2 + 1);
    expect(itemSize({ nothing: null })).toBe(7 + 1);
    expect(itemSize({ b: new Uint8Array(10) })).toBe(1 + 10);
  });

  it('counts lists and maps as 3 bytes plus 1 byte per element plus the elements', () => {
    expect(itemSize({ l: ['a', 'bc'] })).toBe(1 + 3 + (1 + 1) + (1 + 2));
    expect(itemSize({ m: { a: 'xy' } })).toBe(1 + 3 + (1 + 1 + 2));
    expect(itemSize({ items: [{ q: 2 }] })).toBe(5 + 3 + 1 + (3 + (1 + 1 + 2)));
    expect(itemSize({})).toBe(0);
  });
});

describe('writeUnits', () => {
  it('charges 1 WCU per started KB, at least 1, doubled in a transaction', () => {
    expect(writeUnits(0, false)).toBe(1);
    expect(writeUnits(1024, false)).toBe(1);
    expect(writeUnits(1025, false)).toBe(2);
    expect(writeUnits(1025, true)).toBe(4);
    expect(writeUnits(3 * 1024 + 1, true)).toBe(8);
  });
});

describe('putUnits', () => {
  const bytes = (n: number) => ({ pk: 'x'.repeat(n - 2) }); // "pk" is 2 bytes of the item

  it('charges a 1025-byte item 2 WCU, 4 in a transaction', () => {
    expect(itemSize(bytes(1025))).toBe(1025);
    expect(putUnits(bytes(1025), false)).toBe(2);
    expect(putUnits(bytes(1025), true)).toBe(4);
    expect(putUnits(bytes(1024), false)).toBe(1);
  });

  it('adds one non-transactional write per index whose key the item carries', () => {
    const item = { pk: 'a', gsi1pk: 'b', gsi3pk: 'c' }; // 3 + 7 + 7 = 17 bytes
    expect(itemSize(item)).toBe(17);
    expect(putUnits(item, false)).toBe(1 + 2 * 1);
    expect(putUnits(item, true)).toBe(2 + 2 * 1);
    // Index writes are sized like the item (projection ALL): 2 KB each for a 1025-byte item.
    const big = { ...bytes(1011), gsi1pk: 'y', gsi2pk: 'z' }; // 1011 + 7 + 7 bytes
    expect(itemSize(big)).toBe(1025);
    expect(putUnits(big, true)).toBe(4 + 2 * 2);
  });

  it('charges an index key that changes twice (delete and put), and an item leaving an index once', () => {
    const paid = { pk: 'o', gsi1pk: 'u', gsi1sk: '1', gsi3pk: 'g', gsi3sk: 'paid#o' };
    const ready = { ...paid, gsi3sk: 'ready#o', gsi2pk: 'r', gsi2sk: 'd' };
    // gsi1 unchanged (1: its projected attributes changed), gsi3 moved (2), gsi2 entered (1).
    expect(putUnits(ready, true, indexState(paid))).toBe(2 + 1 + 2 + 1);
    const pending = { ...paid, gsi3sk: 'pending#o', gsi2pk: 'p', gsi2sk: 'x' };
    const cancelled = { ...paid, gsi3sk: 'cancelled#o' };
    // gsi1 (1), gsi3 moved (2), gsi2 left (1).
    expect(putUnits(cancelled, true, indexState(pending))).toBe(2 + 1 + 2 + 1);
    // Unknown before: a new item, its index entries put once each.
    expect(putUnits(cancelled, true)).toBe(2 + 2);
  });

  it('writes a KEYS_ONLY index (gsi3k, gsi4) only when its key is written, not at every change of the item', () => {
    const placed = { pk: 'o', status: 'unpaid', gsi3pk: 'g', gsi3sk: 'o', gsi4pk: 'u', gsi4sk: 't#o' };
    // New: one small entry in each.
    expect(putUnits(placed, true)).toBe(2 + 1 + 1);
    // Same keys, another status: the table only.
    expect(putUnits({ ...placed, status: 'paid' }, true, indexState(placed))).toBe(2);
    expect(updateIndexWrites(indexState(placed))).toBe(0);
    // A key that moves is still a delete and a put; leaving is a delete.
    expect(putUnits({ ...placed, gsi4sk: 't2#o' }, true, indexState(placed))).toBe(2 + 2);
    const { gsi4pk: _pk, gsi4sk: _sk, ...left } = placed;
    expect(putUnits(left, true, indexState(placed))).toBe(2 + 1);
    // An index that projects ALL is written at every change of the item in it.
    const listed = { ...placed, gsi1pk: 'l', gsi1sk: 'x' };
    expect(putUnits({ ...listed, status: 'paid' }, true, indexState(listed))).toBe(2 + 1);
    expect(updateIndexWrites(indexState(listed))).toBe(1);
  });

  it('ignores attributes that only look like index keys', () => {
    expect(putUnits({ pk: 'a', gsi1sk: 'b' }, false)).toBe(1);
  });
});

describe('readUnits', () => {
  it('charges 0.5 RCU per started 4 KB eventually consistent, 1 strongly, 2 in a transaction', () => {
    expect(readUnits(1, 'eventual')).toBe(0.5);
    expect(readUnits(4096, 'eventual')).toBe(0.5);
    expect(readUnits(4097, 'eventual')).toBe(1);
    expect(readUnits(4097, 'strong')).toBe(2);
    expect(readUnits(4096, 'transactional')).toBe(2);
    expect(readUnits(4097, 'transactional')).toBe(4);
  });
});
