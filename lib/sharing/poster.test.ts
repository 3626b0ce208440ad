// The poster as an image: its QR code decodes to the link, its text is drawn, it is the image opentype.js
// drew from the font before the glyph file replaced it, and it renders quickly enough for a Lambda.
import jsQR from 'jsqr';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { parseFont, POSTER_OTF } from '../../scripts/poster-glyphs';
import { POSTER_WIDTH, renderPoster } from './poster';
import { posterFont } from './wiring';

const content = {
  title: '今日鲜果团：阳光玫瑰青提、丹东草莓限时特价',
  cutoffAt: '2026-11-30T15:00:00.000Z',
  pickupDate: '2026-12-01',
  pickupPoint: { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区' },
  items: [{ name: '丹东草莓', unit: '500g/盒', groupPriceFen: 2590 }],
};
const link = 'https://tuan.example.com/share/abc.def.ghi.jkl';

test('renders the title and a QR code of the link', () => {
  const started = Date.now();
  const png = PNG.sync.read(renderPoster(posterFont(), content, link));
  const took = Date.now() - started;
  expect(png.width).toBe(POSTER_WIDTH);
  expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(link);
  expect(took).toBeLessThan(5000);
  console.log(`poster rendered in ${took} ms`);
});

test('draws the title in white across the red band, as wide as the text', () => {
  // The title's first line sits on the band with its baseline 152 px down, 48 px in; 48 px hanzi.
  const white = (title: string) => {
    const png = PNG.sync.read(renderPoster(posterFont(), { ...content, title }, link));
    const columns = new Set<number>();
    let pixels = 0;
    for (let y = 108; y < 162; y++)
      for (let x = 0; x < png.width; x++) {
        const i = (y * png.width + x) * 4;
        if (png.data[i]! > 240 && png.data[i + 1]! > 240 && png.data[i + 2]! > 240) {
          columns.add(x);
          pixels++;
        }
      }
    const xs = [...columns].sort((a, b) => a - b);
    return { from: xs[0]!, to: xs.at(-1)!, pixels };
  };
  const five = white('丹东草莓团');
  expect(five.from).toBeGreaterThanOrEqual(48);
  expect(five.from).toBeLessThan(48 + 12);
  expect(five.to).toBeGreaterThan(48 + 4 * 48);
  expect(five.to).toBeLessThan(48 + 5 * 48);
  // Strokes, not boxes or blanks: white covers part of each character's square, not all of it.
  expect(five.pixels / (5 * 48 * 54)).toBeGreaterThan(0.15);
  expect(five.pixels / (5 * 48 * 54)).toBeLessThan(0.6);
  const two = white('草莓');
  expect(two.to).toBeGreaterThan(48 + 48);
  expect(two.to).toBeLessThan(48 + 2 * 48);
});

test('is, pixel for pixel, the poster opentype.js draws from the font itself', () => {
  const otf = parseFont(readFileSync(resolve(__dirname, '..', '..', POSTER_OTF)));
  // Wrapped and cut lines, more items than shown, Latin and a character the font lacks (drawn as a blank).
  const busy = {
    ...content,
    title: 'Fresh fruit 🍓 今日鲜果团：阳光玫瑰青提、丹东草莓、砂糖橘限时特价 ABC/xyz 123（限量）',
    items: [
      ...content.items,
      ...['阳光玫瑰', '青提', '砂糖橘', '猕猴桃'].map((name, i) => ({ ...content.items[0]!, name, groupPriceFen: 990 + i * 1001 })),
    ],
  };
  for (const c of [content, busy]) expect(renderPoster(posterFont(), c, link).equals(renderPoster(otf, c, link))).toBe(true);
});
