// Lambda event filtering (the subset we use in serverless.yml `filterPatterns`): a record reaches a
// function only when it matches one of the patterns. Supported matchers: literal values, `prefix`,
// `exists` and `anything-but`.
export type FilterPattern = { [key: string]: FilterPattern | Matcher[] };
type Matcher = string | number | boolean | null | { prefix?: string; exists?: boolean; 'anything-but'?: unknown[] };

function matchValue(value: unknown, matchers: Matcher[]): boolean {
  return matchers.some((m) => {
    if (m !== null && typeof m === 'object') {
      if (m.exists !== undefined) return m.exists ? value !== undefined : value === undefined;
      if (value === undefined) return false;
      if (m.prefix !== undefined) return typeof value === 'string' && value.startsWith(m.prefix);
      if (m['anything-but'] !== undefined) return !m['anything-but'].includes(value);
      return false;
    }
    return value === m;
  });
}

export function matchesFilter(record: unknown, pattern: FilterPattern): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = record !== null && typeof record === 'object' ? (record as Record<string, unknown>)[key] : undefined;
    return Array.isArray(expected) ? matchValue(value, expected) : matchesFilter(value, expected);
  });
}

export function matchesAnyFilter(record: unknown, patterns: FilterPattern[]): boolean {
  return patterns.some((p) => matchesFilter(record, p));
}
