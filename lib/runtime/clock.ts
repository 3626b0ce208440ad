// Clock and id ports with their production adapters. Tests pass their own clock to use-cases.
import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulidx';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Ids {
  /** A new opaque, time-ordered id (ULID-like: 10 chars of time, 16 of randomness, Crockford base32). */
  next(): string;
}

// Monotonic within a millisecond (ulidx): audit sort keys and ids created in the same instant keep the
// order they were made in, which a fresh random suffix per call would not.
const monotonic = monotonicFactory();

/** A ULID for `nowMs` (default now); never smaller than the last one this instance made. */
export function ulid(nowMs?: number): string {
  return monotonic(nowMs);
}

export const randomIds: Ids = { next: () => ulid() };

/** A random code from an alphabet without look-alike characters (no 0/O, 1/I/L). */
export function randomCode(length: number, alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % alphabet.length);
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < limit) out += alphabet[b % alphabet.length];
  }
  return out.length === length ? out : randomCode(length, alphabet);
}
