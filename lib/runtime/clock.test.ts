import { randomCode, ulid } from './clock';

test('ids made in the same millisecond sort in the order they were made', () => {
  const at = Date.parse('2026-11-30T14:59:59.999Z');
  const ids = Array.from({ length: 1000 }, () => ulid(at));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids[0]!.slice(0, 10)).toBe(ulid(at).slice(0, 10));
});

test('an id never sorts before one made earlier, even for an earlier time', () => {
  const later = ulid(Date.parse('2026-11-30T15:00:00.000Z'));
  const earlier = ulid(Date.parse('2026-11-30T14:00:00.000Z'));
  expect(earlier > later).toBe(true);
});

test('ids are 26 Crockford base32 characters', () => {
  expect(ulid()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
});

test('codes use no look-alike characters', () => {
  const code = randomCode(200);
  expect(code).toHaveLength(200);
  expect(code).not.toMatch(/[01ILO]/);
});
