// A tiny RGB canvas for the poster: solid rectangles and anti-aliased glyph outlines (nonzero winding,
// 4 sub-scanlines per pixel row with exact horizontal coverage), encoded as PNG. Pure JavaScript, so the
// poster renders the same in a Lambda as here, with no native canvas and no system fonts.
import { crc32, deflateSync } from 'node:zlib';
import type { PathCommand } from './glyphs';

export type Rgb = readonly [number, number, number];

interface Edge {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** +1 going down, -1 going up: the winding it adds when crossed. */
  dir: number;
}

const SUBSAMPLES = 4;

export function hexColor(hex: string): Rgb {
  const n = Number.parseInt(hex.replace('#', ''), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Turns an outline's commands into straight edges (curves split into short segments). */
export function flatten(commands: PathCommand[]): Edge[] {
  const edges: Edge[] = [];
  let sx = 0;
  let sy = 0;
  let x = 0;
  let y = 0;
  const line = (nx: number, ny: number) => {
    if (ny !== y) edges.push(ny > y ? { x0: x, y0: y, x1: nx, y1: ny, dir: 1 } : { x0: nx, y0: ny, x1: x, y1: y, dir: -1 });
    x = nx;
    y = ny;
  };
  for (const c of commands) {
    if (c.type === 'M') {
      if (x !== sx || y !== sy) line(sx, sy);
      sx = x = c.x;
      sy = y = c.y;
    } else if (c.type === 'L') line(c.x, c.y);
    else if (c.type === 'Q') {
      const [x0, y0] = [x, y];
      for (let i = 1; i <= 8; i++) {
        const t = i / 8;
        const u = 1 - t;
        line(u * u * x0 + 2 * u * t * c.x1 + t * t * c.x, u * u * y0 + 2 * u * t * c.y1 + t * t * c.y);
      }
    } else if (c.type === 'C') {
      const [x0, y0] = [x, y];
      for (let i = 1; i <= 12; i++) {
        const t = i / 12;
        const u = 1 - t;
        line(
          u * u * u * x0 + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
          u * u * u * y0 + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y,
        );
      }
    } else if (c.type === 'Z') line(sx, sy);
  }
  if (x !== sx || y !== sy) line(sx, sy);
  return edges;
}

export class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb,
  ) {
    this.data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height * 4; i += 4) {
      this.data[i] = background[0];
      this.data[i + 1] = background[1];
      this.data[i + 2] = background[2];
      this.data[i + 3] = 255;
    }
  }

  private blend(x: number, y: number, color: Rgb, alpha: number): void {
    const i = (y * this.width + x) * 4;
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round(this.data[i + k]! * (1 - alpha) + color[k]! * alpha);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let row = Math.max(0, y); row < Math.min(this.height, y + h); row++)
      for (let col = Math.max(0, x); col < Math.min(this.width, x + w); col++) this.blend(col, row, color, 1);
  }

  /** Fills the outline with the nonzero rule, anti-aliased. */
  fillPath(commands: PathCommand[], color: Rgb): void {
    const edges = flatten(commands);
    if (edges.length === 0) return;
    const top = Math.max(0, Math.floor(Math.min(...edges.map((e) => e.y0))));
    const bottom = Math.min(this.height - 1, Math.ceil(Math.max(...edges.map((e) => e.y1))));
    const coverage = new Float32Array(this.width + 1);
    for (let row = top; row <= bottom; row++) {
      let minX = this.width;
      let maxX = -1;
      for (let s = 0; s < SUBSAMPLES; s++) {
        const sy = row + (s + 0.5) / SUBSAMPLES;
        const crossings: { x: number; dir: number }[] = [];
        for (const e of edges) {
          if (sy >= e.y0 && sy < e.y1) crossings.push({ x: e.x0 + ((sy - e.y0) / (e.y1 - e.y0)) * (e.x1 - e.x0), dir: e.dir });
        }
        crossings.sort((a, b) => a.x - b.x);
        let winding = 0;
        let start = 0;
        for (const c of crossings) {
          const before = winding;
          winding += c.dir;
          if (before === 0 && winding !== 0) start = c.x;
          else if (before !== 0 && winding === 0) {
            const a = Math.max(0, start);
            const b = Math.min(this.width, c.x);
            if (b <= a) continue;
            const ia = Math.floor(a);
            const ib = Math.floor(b);
            minX = Math.min(minX, ia);
            maxX = Math.max(maxX, ib);
            if (ia === ib) coverage[ia]! += (b - a) / SUBSAMPLES;
            else {
              coverage[ia]! += (ia + 1 - a) / SUBSAMPLES;
              for (let i = ia + 1; i < ib; i++) coverage[i]! += 1 / SUBSAMPLES;
              coverage[ib]! += (b - ib) / SUBSAMPLES;
            }
          }
        }
      }
      for (let x = minX; x <= Math.min(maxX, this.width - 1); x++) {
        const alpha = Math.min(1, coverage[x]!);
        if (alpha > 0.004) this.blend(x, row, color, alpha);
        coverage[x] = 0;
      }
      if (maxX >= this.width) coverage[this.width] = 0;
    }
  }

  /** PNG, 8-bit RGB, each row with the Sub filter (flat colours compress to almost nothing). */
  toPng(): Buffer {
    const stride = this.width * 3 + 1;
    const raw = Buffer.alloc(stride * this.height);
    for (let y = 0; y < this.height; y++) {
      raw[y * stride] = 1; // Sub: each byte minus the same channel of the pixel to its left
      for (let x = 0; x < this.width; x++) {
        for (let k = 0; k < 3; k++) {
          const value = this.data[(y * this.width + x) * 4 + k]!;
          const left = x > 0 ? this.data[(y * this.width + x - 1) * 4 + k]! : 0;
          raw[y * stride + 1 + x * 3 + k] = (value - left) & 255;
        }
      }
    }
    const chunk = (type: string, body: Buffer) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(body.length, 0);
      head.write(type, 4, 'ascii');
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
      return Buffer.concat([head, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(this.width, 0);
    header.writeUInt32BE(this.height, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // colour type: RGB
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw, { level: 9 })),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}
