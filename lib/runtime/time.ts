// Business time is Asia/Shanghai (UTC+8 all year, no daylight saving); storage is UTC.
const OFFSET_MS = 8 * 60 * 60 * 1000;
export const BUSINESS_TZ = 'Asia/Shanghai';

/** The Asia/Shanghai calendar date (YYYY-MM-DD) of an instant. */
export function businessDate(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** The first instant after the given Asia/Shanghai date ends. */
export function endOfBusinessDate(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) - OFFSET_MS + 24 * 60 * 60 * 1000);
}

/** ISO 8601 with the +08:00 offset, as the API shows times. */
export function toBusinessIso(at: Date | string): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  return new Date(ms + OFFSET_MS).toISOString().replace('Z', '+08:00');
}

export const addMinutes = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);
export const addHours = (at: Date, hours: number) => new Date(at.getTime() + hours * 3_600_000);
export const addDays = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000);
