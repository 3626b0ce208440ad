// Times as residents read them: Beijing time (UTC+8 all year), whatever the phone's own time zone.
const OFFSET_MS = 8 * 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');

const beijing = (iso: string) => new Date(Date.parse(iso) + OFFSET_MS);

/** "11月30日 23:00" */
export function formatBeijing(iso: string): string {
  const d = beijing(iso);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** "2026-12-01" → "12月1日" */
export function formatDate(date: string): string {
  const [, m, d] = date.split('-');
  return `${Number(m)}月${Number(d)}日`;
}

/** The Beijing calendar date of an instant, YYYY-MM-DD. */
export function beijingDate(at: Date = new Date()): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** "1天 03:12:45" / "03:12:45" until the instant; "" once past. */
export function countdown(untilIso: string, now = Date.now()): string {
  const left = Math.floor((Date.parse(untilIso) - now) / 1000);
  if (left <= 0) return '';
  const days = Math.floor(left / 86_400);
  const clock = `${pad(Math.floor((left % 86_400) / 3600))}:${pad(Math.floor((left % 3600) / 60))}:${pad(left % 60)}`;
  return days > 0 ? `${days}天 ${clock}` : clock;
}

/** The default cutoff for a new group buy: 23:00 Beijing today, or tomorrow when that is under an hour away. */
export function defaultCutoff(now = new Date()): { date: string; time: string } {
  const today = beijingDate(now);
  const tonight = Date.parse(`${today}T23:00:00+08:00`);
  return { date: tonight - now.getTime() > 3_600_000 ? today : addDays(today, 1), time: '23:00' };
}

/** A Beijing date and HH:mm → ISO 8601 with the +08:00 offset, as the API takes it. */
export function beijingIso(date: string, time: string): string {
  return `${date}T${time}:00+08:00`;
}
