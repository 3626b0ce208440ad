// Group buys and share links: a leader opens one; anyone views it, directly or through a share link.
import { CreateGroupBuyBodySchema, GroupBuyIdPathSchema, ShareTokenPathSchema } from '../../schemas/group-buys';
import { groupBuyView, openGroupBuy, resolveShareToken, viewGroupBuy } from '../../lib/group-buys/group-buys';
import { groupBuyDeps } from '../../lib/group-buys/wiring';
import { prefersHtml, sharePageHtml } from '../../lib/sharing/share-page';
import { webShell } from '../../lib/sharing/wiring';
import { AppError } from '../../lib/runtime/errors';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = groupBuyDeps();

export const routes: Routes = {
  'POST /group-buys': route({
    auth: 'user',
    body: CreateGroupBuyBodySchema,
    async handle({ principal, body }) {
      const { groupBuy, shareToken, shareUrl } = await openGroupBuy(deps, principal, body);
      const view = groupBuyView({ groupBuy, stock: new Map() });
      return { status: 201, body: { ...view, groupBuyId: groupBuy.groupBuyId, status: groupBuy.status, shareToken, shareUrl } };
    },
  }),
  'GET /group-buys/{groupBuyId}': route({
    auth: 'public',
    path: GroupBuyIdPathSchema,
    answer: ({ path }) => viewGroupBuy(deps, path.groupBuyId),
  }),
  'GET /share/{shareToken}': route({
    auth: 'public',
    path: ShareTokenPathSchema,
    async handle({ path, headers }) {
      // A browser opening the link gets the resident's page (the web app); API clients keep the JSON.
      if (prefersHtml(headers.accept)) return sharePage(path.shareToken);
      return { body: groupBuyView(await resolveShareToken(deps, path.shareToken)), headers: { vary: 'Accept' } };
    },
  }),
};

/** The web app's shell, titled with the group buy for link previews; a bad link still opens the page, which explains. */
async function sharePage(shareToken: string) {
  const headers = { vary: 'Accept', 'cache-control': 'no-cache' };
  try {
    const { groupBuy } = await resolveShareToken(deps, shareToken);
    const content = { title: groupBuy.title, pickupPointName: groupBuy.pickupPoint.name, pickupDate: groupBuy.pickupDate };
    return { body: sharePageHtml(webShell(), content), contentType: 'text/html; charset=utf-8', headers };
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return { status: err.status, body: sharePageHtml(webShell(), undefined), contentType: 'text/html; charset=utf-8', headers };
  }
}

export const main = httpFunction(routes);
