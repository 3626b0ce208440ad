// The share poster: a phone-sized PNG with the group buy's title, the pickup point, a few items with
// yuan prices, and a QR code of the share link (quiet zone of 4 modules, at least 240 px). Text is drawn
// from the glyph outlines of the one font we ship (GB2312 coverage; a character outside it leaves a blank em).
import { create as createQrCode } from 'qrcode/lib/core/qrcode';
import { formatYuan } from '../../schemas/money';
import type { PosterFont } from './glyphs';
import type { Rgb } from './raster';
import { hexColor, Raster } from './raster';
import type { ShareContent } from './share-text';
import { chineseDate, chineseDateTime } from './share-text';

export const POSTER_WIDTH = 750;
export const QR_QUIET_MODULES = 4;
export const QR_MIN_PX = 240;
const MARGIN = 48;
const RED = hexColor('#c8161d');
const INK = hexColor('#1f2329');
const GREY = hexColor('#5c6370');
const WHITE = hexColor('#ffffff');
const CREAM = hexColor('#fff7e8');

interface TextOp {
  text: string;
  x: number;
  y: number;
  size: number;
  color: Rgb;
}

/** Breaks text into lines no wider than `width`, at most `maxLines` (the last ends with … if cut). */
export function wrap(font: PosterFont, text: string, size: number, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of Array.from(text)) {
    if (font.getAdvanceWidth(line + ch, size) > width && line) {
      lines.push(line);
      line = '';
      if (lines.length === maxLines) break;
    }
    line += ch;
  }
  if (lines.length < maxLines && line) lines.push(line);
  else if (lines.length === maxLines && line && lines.join('').length < Array.from(text).length) {
    let last = lines[maxLines - 1]!;
    while (last && font.getAdvanceWidth(last + '…', size) > width) last = Array.from(last).slice(0, -1).join('');
    lines[maxLines - 1] = last + '…';
  }
  return lines;
}

export function renderPoster(font: PosterFont, content: ShareContent, shareUrl: string): Buffer {
  const inner = POSTER_WIDTH - 2 * MARGIN;
  const ops: TextOp[] = [];
  const rects: { x: number; y: number; w: number; h: number; color: Rgb }[] = [];
  let y = MARGIN;

  // Header: a red band with the title.
  ops.push({ text: '社区团购 · 团长推荐', x: MARGIN, y: y + 30, size: 26, color: WHITE });
  y += 56;
  for (const line of wrap(font, content.title, 48, inner, 2)) {
    ops.push({ text: line, x: MARGIN, y: y + 48, size: 48, color: WHITE });
    y += 66;
  }
  y += 28;
  rects.push({ x: 0, y: 0, w: POSTER_WIDTH, h: y, color: RED });
  y += 36;

  // Pickup point and dates.
  const point = content.pickupPoint;
  ops.push({ text: '自提点', x: MARGIN, y: y + 24, size: 24, color: GREY });
  y += 40;
  for (const line of wrap(font, point.name, 34, inner, 1)) ops.push({ text: line, x: MARGIN, y: y + 34, size: 34, color: INK });
  y += 48;
  for (const line of wrap(font, `${point.community} ${point.address}`, 26, inner, 2)) {
    ops.push({ text: line, x: MARGIN, y: y + 26, size: 26, color: GREY });
    y += 38;
  }
  y += 12;
  ops.push({ text: `截单 ${chineseDateTime(content.cutoffAt)}`, x: MARGIN, y: y + 28, size: 28, color: INK });
  ops.push({ text: `提货 ${chineseDate(content.pickupDate)}`, x: MARGIN + inner / 2 + 20, y: y + 28, size: 28, color: INK });
  y += 60;

  // A few items, name on the left, price on the right.
  const shown = content.items.slice(0, 4);
  const listTop = y;
  y += 20;
  for (const item of shown) {
    const price = formatYuan(item.groupPriceFen);
    const priceWidth = font.getAdvanceWidth(price, 32);
    const [name] = wrap(font, `${item.name}（${item.unit}）`, 28, inner - priceWidth - 64, 1);
    ops.push({ text: name ?? '', x: MARGIN + 20, y: y + 34, size: 28, color: INK });
    ops.push({ text: price, x: POSTER_WIDTH - MARGIN - 20 - priceWidth, y: y + 34, size: 32, color: RED });
    y += 52;
  }
  if (content.items.length > shown.length) {
    ops.push({ text: `等 ${content.items.length} 件好物`, x: MARGIN + 20, y: y + 30, size: 24, color: GREY });
    y += 44;
  }
  y += 12;
  rects.push({ x: MARGIN, y: listTop, w: inner, h: y - listTop, color: CREAM });
  y += 36;

  // The QR code: whole pixels per module, the quiet zone included in its white square.
  // The encoder module alone: the package's main module also loads its PNG, SVG and terminal renderers
  // (57 KB of the bundle instead of 19 KB); it exports this same `create`.
  const qr = createQrCode(shareUrl, { errorCorrectionLevel: 'M' });
  const modules = qr.modules.size;
  const scale = Math.max(Math.ceil(QR_MIN_PX / (modules + 2 * QR_QUIET_MODULES)), Math.floor(400 / (modules + 2 * QR_QUIET_MODULES)));
  const qrSide = (modules + 2 * QR_QUIET_MODULES) * scale;
  const qrX = Math.floor((POSTER_WIDTH - qrSide) / 2);
  const qrY = y;
  y += qrSide + 16;
  ops.push({ text: '长按识别二维码，参与团购', x: 0, y: y + 28, size: 28, color: GREY });
  y += 28 + MARGIN;

  const raster = new Raster(POSTER_WIDTH, y, WHITE);
  for (const r of rects) raster.fillRect(r.x, r.y, r.w, r.h, r.color);
  raster.fillRect(qrX, qrY, qrSide, qrSide, WHITE);
  for (let row = 0; row < modules; row++)
    for (let col = 0; col < modules; col++)
      if (qr.modules.get(row, col))
        raster.fillRect(qrX + (col + QR_QUIET_MODULES) * scale, qrY + (row + QR_QUIET_MODULES) * scale, scale, scale, INK);
  for (const op of ops) {
    // x = 0 means centred.
    const x = op.x === 0 ? (POSTER_WIDTH - font.getAdvanceWidth(op.text, op.size)) / 2 : op.x;
    raster.fillPath(font.getPath(op.text, x, op.y, op.size).commands, op.color);
  }
  return raster.toPng();
}
