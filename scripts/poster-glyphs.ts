// `npm run poster-glyphs`: converts the poster's font (assets/fonts/NotoSansSC-Bold-GB2312.otf) into the
// glyph file the sharing function reads (lib/sharing/glyphs.ts describes it), so that the function ships
// advance widths and outlines instead of a font parser (opentype.js, 240 KB of its bundle). Run it after
// scripts/poster-font.sh changes the font; scripts/poster-glyphs.test.ts fails until the two agree.
import type { Font } from 'opentype.js';
import opentype from 'opentype.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GLYPH_FILE, OUTLINE_OP, POSTER_GLYPHS } from '../lib/sharing/glyphs';

export const POSTER_OTF = 'assets/fonts/NotoSansSC-Bold-GB2312.otf';

export function parseFont(otf: Uint8Array): Font {
  return opentype.parse(otf.buffer.slice(otf.byteOffset, otf.byteOffset + otf.byteLength));
}

/** Zigzag LEB128: small deltas of either sign in one byte (|d| < 64) or two (|d| < 8192). */
function pushDelta(out: number[], d: number): void {
  if (!Number.isInteger(d)) throw new Error(`Outline coordinate off the font-unit grid (delta ${d}): the file stores whole units`);
  let n = d >= 0 ? 2 * d : -2 * d - 1;
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

function encodeOutline(font: Font, glyph: number): number[] {
  const out: number[] = [];
  const commands = font.glyphs.get(glyph).path.commands;
  let x = 0;
  let y = 0;
  commands.forEach((c, i) => {
    switch (c.type) {
      case 'M':
        out.push(OUTLINE_OP.move);
        pushDelta(out, c.x - x);
        pushDelta(out, c.y - y);
        break;
      case 'L':
        // Hanzi are mostly straight strokes: a horizontal or vertical line takes one delta (a line to where
        // the pen already is counts as horizontal; opentype.js keeps it, so the file does too).
        if (c.y === y) {
          out.push(OUTLINE_OP.hline);
          pushDelta(out, c.x - x);
        } else if (c.x === x) {
          out.push(OUTLINE_OP.vline);
          pushDelta(out, c.y - y);
        } else {
          out.push(OUTLINE_OP.line);
          pushDelta(out, c.x - x);
          pushDelta(out, c.y - y);
        }
        break;
      case 'C':
        out.push(OUTLINE_OP.curve);
        pushDelta(out, c.x1 - x);
        pushDelta(out, c.y1 - y);
        pushDelta(out, c.x2 - c.x1);
        pushDelta(out, c.y2 - c.y1);
        pushDelta(out, c.x - c.x2);
        pushDelta(out, c.y - c.y2);
        break;
      case 'Z':
        // opentype.js leaves Z out of the paths it draws (only a stroked path keeps it): a contour closes
        // at the next M, so the file needs no Z, as long as one never stands anywhere else.
        if (commands[i + 1] && commands[i + 1]!.type !== 'M') throw new Error(`Glyph ${glyph}: Z not followed by M`);
        return;
      default:
        throw new Error(`Glyph ${glyph}: ${c.type} command (a CFF font has only M, L, C and Z)`);
    }
    x = c.x;
    y = c.y;
  });
  return out;
}

/** The glyph file of a font: every character its cmap maps, their advance widths and outlines. */
export function glyphFileFrom(otf: Uint8Array): Buffer {
  const font = parseFont(otf);
  // The reader sets glyphs side by side by their advances alone; a font with kerning or substitutions
  // (poster-font.sh drops them: --layout-features='') would need them in the file too.
  for (const table of ['gpos', 'gsub'] as const) {
    const lookups = (font.tables[table] as { lookups?: unknown[] } | undefined)?.lookups?.length ?? 0;
    if (lookups > 0) throw new Error(`The font has ${lookups} ${table.toUpperCase()} lookups, which the glyph file does not carry`);
  }
  if (Object.keys(font.kerningPairs).length > 0) throw new Error('The font has a kern table, which the glyph file does not carry');
  // Each glyph lists the characters the font's cmap maps to it.
  const glyphOf = new Map<number, number>();
  for (let g = 0; g < font.glyphs.length; g++) for (const ch of font.glyphs.get(g).unicodes) glyphOf.set(ch, g);
  const chars = [...glyphOf.keys()].sort((a, b) => a - b);
  // Only the glyphs a character reaches, in order of first use; .notdef stays glyph 0.
  const glyphs = [0];
  const renumbered = new Map([[0, 0]]);
  for (const ch of chars) {
    const glyph = glyphOf.get(ch)!;
    if (!renumbered.has(glyph)) {
      renumbered.set(glyph, glyphs.length);
      glyphs.push(glyph);
    }
  }
  const outlines = glyphs.map((g) => encodeOutline(font, g));
  const dataBytes = outlines.reduce((n, o) => n + o.length, 0);
  const head = GLYPH_FILE.headerBytes + 6 * chars.length + 2 * glyphs.length + 4 * (glyphs.length + 1);
  const file = Buffer.alloc(head + dataBytes);
  file.write(GLYPH_FILE.magic, 0, 'latin1');
  file.writeUInt16LE(GLYPH_FILE.version, 4);
  file.writeUInt16LE(font.unitsPerEm, 6);
  file.writeUInt32LE(glyphs.length, 8);
  file.writeUInt32LE(chars.length, 12);
  let at: number = GLYPH_FILE.headerBytes;
  for (const ch of chars) at = file.writeUInt32LE(ch, at);
  for (const ch of chars) at = file.writeUInt16LE(renumbered.get(glyphOf.get(ch)!)!, at);
  for (const g of glyphs) at = file.writeUInt16LE(font.glyphs.get(g).advanceWidth ?? 0, at);
  let start = 0;
  for (const outline of outlines) {
    at = file.writeUInt32LE(start, at);
    start += outline.length;
  }
  at = file.writeUInt32LE(start, at);
  for (const outline of outlines) {
    file.set(outline, at);
    at += outline.length;
  }
  return file;
}

if (require.main === module) {
  const root = resolve(__dirname, '..');
  const file = glyphFileFrom(readFileSync(resolve(root, POSTER_OTF)));
  writeFileSync(resolve(root, POSTER_GLYPHS), file);
  console.log(`${POSTER_GLYPHS}: ${file.length} bytes from ${POSTER_OTF}`);
}
