// Files the sharing code reads at run time: the poster's glyphs and the web app's HTML shell. Both are
// packaged with their functions (serverless.yml `package.patterns`); locally they sit in the repository.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { lazyShareLinkKey } from '../group-buys/share-link';
import { groupBuyStore } from '../group-buys/wiring';
import { leaderStore } from '../leaders/wiring';
import type { PosterFont } from './glyphs';
import { POSTER_GLYPHS, readGlyphFile } from './glyphs';
import type { SharingDeps } from './sharing';

/** The function's package root on Lambda; the repository root locally (this file is lib/sharing/). */
const root = () => process.env.LAMBDA_TASK_ROOT ?? resolve(__dirname, '..', '..');

export const WEB_SHELL = 'web/dist/index.html';

let font: PosterFont | undefined;
/** Read once per container, on the first poster (a 1.9 MB file and an index of its characters). */
export function posterFont(): PosterFont {
  font ??= readGlyphFile(readFileSync(resolve(root(), POSTER_GLYPHS)));
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
  // Only reads: on CloudBase the groupBuys function serves sharing's routes on the same stores.
  groupBuys: groupBuyStore(),
  leaders: leaderStore(),
  clock: systemClock,
  shareKey: lazyShareLinkKey(() => config.authSecret),
  publicUrl: config.publicUrl,
  font: posterFont,
});
