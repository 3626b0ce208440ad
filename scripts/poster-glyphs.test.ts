// The committed glyph file is what scripts/poster-glyphs.ts makes of the committed font, and reading it
// lays out and draws every character exactly as opentype.js does from the font.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Font } from 'opentype.js';
import { POSTER_GLYPHS, readGlyphFile } from '../lib/sharing/glyphs';
import { glyphFileFrom, parseFont, POSTER_OTF } from './poster-glyphs';

const root = resolve(__dirname, '..');
const otf = readFileSync(resolve(root, POSTER_OTF));
const committed = readFileSync(resolve(root, POSTER_GLYPHS));
let font: Font;
beforeAll(() => {
  font = parseFont(otf);
});

test(`${POSTER_GLYPHS} is what npm run poster-glyphs makes of ${POSTER_OTF}`, () => {
  const made = glyphFileFrom(otf);
  expect({ bytes: made.length, same: made.equals(committed) }).toEqual({ bytes: committed.length, same: true });
});

test('every character of the font has the advance and outline opentype.js gives it', () => {
  const glyphs = readGlyphFile(committed);
  const chars = Array.from({ length: font.glyphs.length }, (_, g) => font.glyphs.get(g).unicodes)
    .flat()
    .map((code) => String.fromCodePoint(code));
  expect(chars.length).toBeGreaterThan(6763 + 95); // GB2312's hanzi and printable ASCII at least
  // Characters the font lacks (an emoji, a combining accent, a tab) take .notdef's width and draw nothing.
  const differing = [...chars, '🍓', '\u0301', '\t'].filter(
    (ch) =>
      glyphs.getAdvanceWidth(ch, 37) !== font.getAdvanceWidth(ch, 37) ||
      JSON.stringify(glyphs.getPath(ch, 3.7, 91.3, 37).commands) !== JSON.stringify(font.getPath(ch, 3.7, 91.3, 37).commands),
  );
  expect(differing).toEqual([]);
  // Set in a row, the pen advances alike (the font has no kerning or ligatures).
  const line = chars.slice(0, 400).join('');
  expect(glyphs.getAdvanceWidth(line, 29)).toBe(font.getAdvanceWidth(line, 29));
  expect(glyphs.getPath(line, 1.5, 40.25, 29).commands).toEqual(font.getPath(line, 1.5, 40.25, 29).commands);
});
