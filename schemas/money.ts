// Money as people read it: integer fen (分) to yuan text and back, with integer arithmetic only, so that
// the server's share text and the web pages show the same ¥25.90 for 2590 fen. No imports: the web app uses it too.

/** 2590 → "¥25.90"; -150 → "-¥1.50". */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`Not an integer number of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100);
  const cents = abs % 100;
  return `${sign}¥${yuan}.${cents < 10 ? '0' : ''}${cents}`;
}

/** "25.9" / "25.90" / "¥25" → 2590; anything else (more than two decimals, signs, letters) → undefined. */
export function parseYuan(text: string): number | undefined {
  const match = text
    .trim()
    .replace(/^[¥￥]/, '')
    .match(/^(\d{1,9})(?:\.(\d{1,2}))?$/);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
