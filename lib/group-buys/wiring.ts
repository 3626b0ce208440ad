// The production wiring of the group-buy use-cases: DynamoDB adapters, the system clock, random ids,
// and the share-link key (derived from AUTH_SECRET when first needed).
import { randomIds, systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { dynamoCatalogueStore } from '../store/catalogue';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoLeaderStore } from '../store/leaders';
import type { GroupBuyDeps } from './group-buys';
import { lazyShareLinkKey } from './share-link';

export const groupBuyDeps = (): GroupBuyDeps => ({
  groupBuys: dynamoGroupBuyStore(),
  leaders: dynamoLeaderStore(),
  catalogue: dynamoCatalogueStore(),
  clock: systemClock,
  ids: randomIds,
  shareKey: lazyShareLinkKey(() => config.authSecret),
  publicUrl: config.publicUrl,
});
