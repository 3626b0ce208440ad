// Files the sharing code reads at run time: the poster's font and the web app's HTML shell. Both are
// packaged with their functions (serverless.yml `package.patterns`); locally they sit in the repository.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import opentype, { type Font } from 'opentype.js';
import { systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { lazyShareLinkKey } from '../group-buys/share-link';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoLeaderStore } from '../store/leaders';
import type { SharingDeps } from './sharing';

/** The function's package root on Lambda; the repository root locally (this file is lib/sharing/). */
const root = () => process.env.LAMBDA_TASK_ROOT ?? resolve(__dirname, '..', '..');

export const POSTER_FONT = 'assets/fonts/NotoSansSC-Bold-GB2312.otf';
export const WEB_SHELL = 'web/dist/index.html';

let font: Font | undefined;
/** Parsed once per container (~0.2 s), on the first poster. */
export function posterFont(): Font {
  if (!font) {
    const bytes = readFileSync(resolve(root(), POSTER_FONT));
    font = opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  return font;
}

const FALLBACK_SHELL = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>社区团购</title></head>
<body><p>页面尚未构建：请先运行 npm run build:web（npm start 会自动构建）。</p></body></html>`;

/** The built web app's index.html; re-read locally so a rebuild shows without a restart. */
export function webShell(): string {
  try {
    return readFileSync(resolve(root(), WEB_SHELL), 'utf8');
  } catch {
    return FALLBACK_SHELL;
  }
}

export const sharingDeps = (): SharingDeps => ({
  groupBuys: dynamoGroupBuyStore(),
  leaders: dynamoLeaderStore(),
  clock: systemClock,
  shareKey: lazyShareLinkKey(() => config.authSecret),
  publicUrl: config.publicUrl,
  font: posterFont,
});
