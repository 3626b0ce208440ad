// What placing an order reads and its transaction proves again, kept per warm instance: the group buy's
// snapshot (prices, limits, pickup date and cutoff never change once it is open; the write proves its status
// and version on the group buy's gate). A warm function places an order with one request. The pickup point's
// capacity is not read at all: the places counter the write takes from carries it (lib/store/places.ts).
import type { GroupBuy } from '../../schemas/group-buys';

/** A map that forgets its least recently used entry beyond `size` entries. */
export class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get length(): number {
    return this.entries.size;
  }
}

export interface PlacementCache {
  /** Group buys that took orders when read (a suspended one is not kept: reinstating its leader reopens it). */
  groupBuys: Lru<GroupBuy>;
}

/**
 * A few hundred: a function instance serves the group buys being shared right now. A group buy with
 * 50 items is ~20 KB in memory, so the cache stays under ~5 MB.
 */
export function placementCache(size = 256): PlacementCache {
  return { groupBuys: new Lru(size) };
}
