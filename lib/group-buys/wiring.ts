// The production wiring of the group-buy use-cases: the stores the DATA_STORE setting names, the system clock,
// random ids, and the share-link key (derived from AUTH_SECRET when first needed).
import { cloudbaseGroupBuyStore } from '../adapters/cloudbase/group-buys';
import { catalogueStore } from '../catalogue/wiring';
import { leaderStore } from '../leaders/wiring';
import { randomIds, systemClock } from '../runtime/clock';
import { config, onCloudBase } from '../runtime/config';
import { dynamoGroupBuyStore } from '../store/group-buys';
import type { GroupBuyDeps, GroupBuyStore } from './group-buys';
import { lazyShareLinkKey } from './share-link';

export const groupBuyStore = (): GroupBuyStore => (onCloudBase() ? cloudbaseGroupBuyStore() : dynamoGroupBuyStore());

export const groupBuyDeps = (): GroupBuyDeps => ({
  groupBuys: groupBuyStore(),
  leaders: leaderStore(),
  catalogue: catalogueStore(),
  clock: systemClock,
  ids: randomIds,
  shareKey: lazyShareLinkKey(() => config.authSecret),
  publicUrl: config.publicUrl,
});
