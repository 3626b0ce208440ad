// Group buys and share links: a leader opens one; anyone views it, directly or through a share link.
import { CreateGroupBuyBodySchema, GroupBuyIdPathSchema, ShareTokenPathSchema } from '../../schemas/group-buys';
import { groupBuyView, openGroupBuy, resolveShareToken, viewGroupBuy, type GroupBuyDeps } from '../../lib/group-buys/group-buys';
import { shareLinkKey } from '../../lib/group-buys/share-link';
import { randomIds, systemClock } from '../../lib/runtime/clock';
import { config } from '../../lib/runtime/config';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';
import { dynamoCatalogueStore } from '../../lib/store/catalogue';
import { dynamoGroupBuyStore } from '../../lib/store/group-buys';
import { dynamoLeaderStore } from '../../lib/store/leaders';

const deps: GroupBuyDeps = {
  groupBuys: dynamoGroupBuyStore(),
  leaders: dynamoLeaderStore(),
  catalogue: dynamoCatalogueStore(),
  clock: systemClock,
  ids: randomIds,
  shareKey: shareLinkKey(config.authSecret),
  publicUrl: config.publicUrl,
};

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
    async handle({ path }) {
      return { body: await viewGroupBuy(deps, path.groupBuyId) };
    },
  }),
  'GET /share/{shareToken}': route({
    auth: 'public',
    path: ShareTokenPathSchema,
    async handle({ path }) {
      return { body: groupBuyView(await resolveShareToken(deps, path.shareToken)) };
    },
  }),
};

export const main = httpFunction(routes);
