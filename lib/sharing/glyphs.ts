// The poster's font at run time: advance widths and outlines read from a compact glyph file that
// scripts/poster-glyphs.ts converts once from the shipped OTF (so the function carries no font parser).
// Text is laid out as opentype.js lays out this font (no kerning or ligatures: the font has none), and
// the outlines come out as the same commands opentype.js's `getPath` gives.

/**
 * A drawing command in pixels, y down. The shape is opentype.js's: quadratic curves (`Q`) come from
 * TrueType outlines and `Z` from closed paths; our file has neither, a contour ends at the next `M`.
 */
export type PathCommand =
  | { type: 'M'; x: number; y: number }
  | { type: 'L'; x: number; y: number }
  | { type: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { type: 'Q'; x1: number; y1: number; x: number; y: number }
  | { type: 'Z' };

/** What the poster needs of a font (opentype.js's `Font` has it too, which the tests compare against). */
export interface PosterFont {
  /** The width in pixels of `text` set at `size` pixels. */
  getAdvanceWidth(text: string, size: number): number;
  /** The outlines of `text` set at `size` pixels, its baseline starting at (x, y). */
  getPath(text: string, x: number, y: number, size: number): { commands: PathCommand[] };
}

/** Where the glyph file lives, from the function's package root (the repository root locally). */
export const POSTER_GLYPHS = 'assets/fonts/NotoSansSC-Bold-GB2312.glyphs.bin';

/**
 * The glyph file, little-endian:
 *   'PGLY', u16 version, u16 units per em, u32 glyphs G, u32 characters N,
 *   N × u32 code points (ascending), N × u16 their glyphs, G × u16 advance widths,
 *   (G + 1) × u32 where each glyph's outline starts in the outline data (the last is where it ends),
 *   the outline data.
 * Glyph 0 is .notdef: what a character outside the font is drawn as (it has no outline, only a width).
 * An outline is a run of commands, each a tag byte and its coordinates as zigzag LEB128 deltas in font
 * units (y up) from the previous point, so that the short strokes of hanzi take one or two bytes each.
 */
export const GLYPH_FILE = { magic: 'PGLY', version: 1, headerBytes: 16 } as const;
/** The tag of each command and the deltas that follow it. */
export const OUTLINE_OP = {
  /** dx dy: starts a contour (the previous one closes by itself). */
  move: 0,
  /** dx dy */
  line: 1,
  /** dx: a horizontal line. */
  hline: 2,
  /** dy: a vertical line. */
  vline: 3,
  /** dx1 dy1 dx2 dy2 dx dy, each from the curve's previous point. */
  curve: 4,
} as const;

/** Reads a glyph file (the bytes stay referenced; outlines are decoded when drawn). */
export function readGlyphFile(bytes: Uint8Array): PosterFont {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  const version = view.getUint16(4, true);
  if (magic !== GLYPH_FILE.magic || version !== GLYPH_FILE.version)
    throw new Error(`Not a version ${GLYPH_FILE.version} glyph file (${magic} ${version}): regenerate it with scripts/poster-glyphs.ts`);
  const unitsPerEm = view.getUint16(6, true);
  const glyphCount = view.getUint32(8, true);
  const charCount = view.getUint32(12, true);
  const glyphOfOffset = GLYPH_FILE.headerBytes + 4 * charCount;
  const advanceOffset = glyphOfOffset + 2 * charCount;
  const startOffset = advanceOffset + 2 * glyphCount;
  const dataOffset = startOffset + 4 * (glyphCount + 1);
  if (dataOffset + view.getUint32(startOffset + 4 * glyphCount, true) !== bytes.byteLength) throw new Error('Truncated glyph file');

  const glyphOf = new Map<number, number>();
  for (let i = 0; i < charCount; i++)
    glyphOf.set(view.getUint32(GLYPH_FILE.headerBytes + 4 * i, true), view.getUint16(glyphOfOffset + 2 * i, true));
  const glyphsOf = (text: string) => Array.from(text, (ch) => glyphOf.get(ch.codePointAt(0)!) ?? 0);
  const advance = (glyph: number) => view.getUint16(advanceOffset + 2 * glyph, true);

  // Pen moves of `text` as opentype.js makes them: x += advance × (1 / unitsPerEm × size), glyph by glyph.
  const layout = (text: string, x: number, size: number, each: (glyph: number, x: number) => void) => {
    const scale = (1 / unitsPerEm) * size;
    for (const glyph of glyphsOf(text)) {
      each(glyph, x);
      x += advance(glyph) * scale;
    }
    return x;
  };

  const outline = (glyph: number, x: number, y: number, scale: number, commands: PathCommand[]) => {
    let at = dataOffset + view.getUint32(startOffset + 4 * glyph, true);
    const end = dataOffset + view.getUint32(startOffset + 4 * (glyph + 1), true);
    const delta = () => {
      let n = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = bytes[at++]!;
        n += (byte & 127) * 2 ** shift;
        shift += 7;
      } while (byte & 128);
      return n % 2 ? -(n + 1) / 2 : n / 2;
    };
    // The same arithmetic as opentype.js's Glyph.getPath, so that the pixels come out the same.
    const px = (u: number) => x + u * scale;
    const py = (u: number) => y + -u * scale;
    let ux = 0;
    let uy = 0;
    while (at < end) {
      const op = bytes[at++]!;
      if (op > OUTLINE_OP.curve) throw new Error(`Bad outline command ${op} in glyph ${glyph}`);
      if (op === OUTLINE_OP.curve) {
        const x1 = ux + delta();
        const y1 = uy + delta();
        const x2 = x1 + delta();
        const y2 = y1 + delta();
        ux = x2 + delta();
        uy = y2 + delta();
        commands.push({ type: 'C', x1: px(x1), y1: py(y1), x2: px(x2), y2: py(y2), x: px(ux), y: py(uy) });
        continue;
      }
      if (op === OUTLINE_OP.move || op === OUTLINE_OP.line || op === OUTLINE_OP.hline) ux += delta();
      if (op === OUTLINE_OP.move || op === OUTLINE_OP.line || op === OUTLINE_OP.vline) uy += delta();
      commands.push({ type: op === OUTLINE_OP.move ? 'M' : 'L', x: px(ux), y: py(uy) });
    }
  };

  return {
    getAdvanceWidth: (text, size) => layout(text, 0, size, () => {}),
    getPath(text, x, y, size) {
      const commands: PathCommand[] = [];
      const scale = (1 / unitsPerEm) * size;
      layout(text, x, size, (glyph, gx) => outline(glyph, gx, y, scale, commands));
      return { commands };
    },
  };
}
