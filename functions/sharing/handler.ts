// Sharing a group buy: the QR poster behind a share link (public, cacheable) and the WeChat group text
// (接龙) for its leader.
import { GroupBuyIdPathSchema, ShareTokenPathSchema } from '../../schemas/group-buys';
import { posterFor, shareTextFor } from '../../lib/sharing/sharing';
import { sharingDeps } from '../../lib/sharing/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = sharingDeps();

export const routes: Routes = {
  'GET /share/{shareToken}/poster.png': route({
    auth: 'public',
    path: ShareTokenPathSchema,
    async handle({ path }) {
      const png = await posterFor(deps, path.shareToken);
      // The title and pickup point rarely change; stock is not on the poster.
      return { body: png, contentType: 'image/png', headers: { 'cache-control': 'public, max-age=600' } };
    },
  }),
  'GET /group-buys/{groupBuyId}/share-text': route({
    auth: 'user',
    path: GroupBuyIdPathSchema,
    answer: async ({ principal, path }) => ({ text: await shareTextFor(deps, principal, path.groupBuyId) }),
  }),
};

export const main = httpFunction(routes);
