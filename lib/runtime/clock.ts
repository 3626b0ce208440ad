// Clock and id ports with their production adapters. Tests pass their own clock to use-cases.
import { randomBytes } from 'node:crypto';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Ids {
  /** A new opaque, time-ordered id (ULID-like: 10 chars of time, 16 of randomness, Crockford base32). */
  next(): string;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function ulid(nowMs: number = Date.now()): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i]! % 32];
  return time + rand;
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
