// Group buys: an active leader opens one from active catalogue products, snapshotting prices and
// commission rates; anyone can view it with live remaining stock, directly or through a share link.
import type { AuditEvent } from '../../schemas/common';
import type { CreateGroupBuyBody, GroupBuy, GroupBuyItem, Stock } from '../../schemas/group-buys';
import type { GroupBuyView } from '../../schemas/views';
import type { CatalogueStore } from '../catalogue/catalogue';
import type { LeaderStore } from '../leaders/leaders';
import { requireActiveLeader } from '../leaders/leaders';
import type { Principal } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import type { ErrorDetail } from '../runtime/errors';
import { conflict, notFound, validationError, AppError } from '../runtime/errors';
import { addDays, businessDate, endOfBusinessDate, toBusinessIso } from '../runtime/time';
import { MAX_CUTOFF_DAYS, MAX_PICKUP_DAYS_AFTER_CUTOFF } from './calendar';
import type { PaidPrice } from './reference-price';
import { REFERENCE_PRICE_DAYS, referencePrice } from './reference-price';
import { invalidShareLink, signShareToken, verifyShareToken } from './share-link';

/** Real sales of one item: units in paid orders and the paid orders that include it. */
export interface SoldCount {
  quantity: number;
  buyers: number;
}

export interface GroupBuyWithStock {
  groupBuy: GroupBuy;
  stock: Map<string, Stock>;
  /** Per product; absent: nothing sold yet. */
  sold?: Map<string, SoldCount>;
}

export interface GroupBuyStore {
  /**
   * Writes the group buy, its stock, and the audit record, atomically, if its leader is still active and still
   * has `pickupCapacity` (a store that keeps places copies it onto the pickup date's: `leader_changed` if not).
   */
  create(groupBuy: GroupBuy, audit: AuditEvent, pickupCapacity?: number): Promise<'created' | 'leader_not_active' | 'leader_changed'>;
  get(groupBuyId: string): Promise<GroupBuy | undefined>;
  getWithStock(groupBuyId: string): Promise<GroupBuyWithStock | undefined>;
  /** The unit prices a product was paid at on the business dates `fromDate`..`toDate` (the 划线价's evidence). */
  paidPrices(productId: string, fromDate: string, toDate: string): Promise<PaidPrice[]>;
}

export interface GroupBuyDeps {
  groupBuys: GroupBuyStore;
  leaders: LeaderStore;
  catalogue: CatalogueStore;
  clock: Clock;
  ids: Ids;
  /** The share-link key (derived from a secret: read when first needed, after the secrets load). */
  shareKey: () => Buffer;
  publicUrl: string;
}

function checkDates(body: CreateGroupBuyBody, now: Date): Date {
  const cutoff = new Date(body.cutoffAt);
  if (cutoff.getTime() <= now.getTime()) throw validationError('cutoffAt', 'must be in the future');
  if (cutoff.getTime() > addDays(now, MAX_CUTOFF_DAYS).getTime())
    throw validationError('cutoffAt', `must be at most ${MAX_CUTOFF_DAYS} days away`);
  const cutoffDate = businessDate(cutoff);
  if (body.pickupDate < cutoffDate) throw validationError('pickupDate', "must be on or after the cutoff's date (Asia/Shanghai)");
  if (body.pickupDate > businessDate(addDays(cutoff, MAX_PICKUP_DAYS_AFTER_CUTOFF))) {
    throw validationError('pickupDate', `must be at most ${MAX_PICKUP_DAYS_AFTER_CUTOFF} days after the cutoff`);
  }
  return cutoff;
}

/** Opening a group buy whose leader changed the pickup point's capacity meanwhile is tried this many times. */
const CREATE_ATTEMPTS = 3;

export function shareTokenFor(deps: Pick<GroupBuyDeps, 'shareKey' | 'publicUrl'>, groupBuy: GroupBuy) {
  // Valid until the end of the pickup date: after the cutoff it still opens the page (and ordering is 409).
  const shareToken = signShareToken(deps.shareKey(), {
    groupBuyId: groupBuy.groupBuyId,
    leaderId: groupBuy.leaderId,
    expiresAt: endOfBusinessDate(groupBuy.pickupDate),
  });
  return { shareToken, shareUrl: `${deps.publicUrl}/share/${shareToken}` };
}

export async function openGroupBuy(deps: GroupBuyDeps, principal: Principal, body: CreateGroupBuyBody) {
  const leader = await requireActiveLeader(deps.leaders, principal);
  const now = deps.clock.now();
  const cutoff = checkDates(body, now);

  const products = await deps.catalogue.getProducts(body.items.map((i) => i.productId));
  const problems: ErrorDetail[] = [];
  const items: GroupBuyItem[] = [];
  body.items.forEach((requested, i) => {
    const product = products.get(requested.productId);
    if (!product || product.status !== 'active') {
      problems.push({ path: `items.${i}.productId`, message: 'no such active product' });
      return;
    }
    items.push({
      productId: product.productId,
      supplierId: product.supplierId,
      name: product.name,
      unit: product.unit,
      supplyPriceFen: product.supplyPriceFen,
      groupPriceFen: product.groupPriceFen,
      commissionRateBps: product.commissionRateBps,
      ...(requested.stockLimit !== undefined ? { stockLimit: requested.stockLimit } : {}),
      ...(requested.perResidentLimit !== undefined ? { perResidentLimit: requested.perResidentLimit } : {}),
    });
  });
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);

  // 划线价: only a real, higher sale of the same product in the 7 days before now backs one.
  const fromDate = businessDate(new Date(now.getTime() - REFERENCE_PRICE_DAYS * 86_400_000));
  for (const item of items) {
    const reference = referencePrice(await deps.groupBuys.paidPrices(item.productId, fromDate, businessDate(now)), item.groupPriceFen, now);
    if (reference !== undefined) item.referencePriceFen = reference;
  }

  const at = now.toISOString();
  const groupBuy: GroupBuy = {
    groupBuyId: deps.ids.next(),
    leaderId: leader.leaderId,
    // The point as residents see it (its capacity is the leader's business).
    pickupPoint: (({ dailyOrderCapacity: _capacity, ...point }) => point)(leader.pickupPoint),
    title: body.title,
    cutoffAt: cutoff.toISOString(),
    pickupDate: body.pickupDate,
    ...(body.minTotalQuantity !== undefined ? { minTotalQuantity: body.minTotalQuantity } : {}),
    status: 'open',
    items,
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
  const audit: AuditEvent = {
    entityId: groupBuy.groupBuyId,
    entityType: 'groupBuy',
    action: 'groupBuy.opened',
    actor: principal.userId,
    at,
    after: groupBuy,
  };
  // The pickup point's capacity goes onto the places of the pickup date with it; changed meanwhile, read again.
  let capacity = leader.pickupPoint.dailyOrderCapacity;
  let created = await deps.groupBuys.create(groupBuy, audit, capacity);
  for (let attempt = 1; created === 'leader_changed' && attempt < CREATE_ATTEMPTS; attempt++) {
    capacity = (await deps.leaders.get(leader.leaderId))?.pickupPoint.dailyOrderCapacity;
    created = await deps.groupBuys.create(groupBuy, audit, capacity);
  }
  if (created === 'leader_not_active') throw new AppError('FORBIDDEN', 'An active leader record is required');
  if (created === 'leader_changed') throw conflict('The pickup point was changed meanwhile; try again');
  return { groupBuy, ...shareTokenFor(deps, groupBuy) };
}

/** The public view: no supply prices, live remaining stock, times with the +08:00 offset. */
export function groupBuyView({ groupBuy, stock, sold }: GroupBuyWithStock): GroupBuyView {
  return {
    groupBuyId: groupBuy.groupBuyId,
    // `closing` is internal to the cutoff job, and a suspended leader's group buy takes no orders: to the
    // outside neither is open.
    status: groupBuy.status === 'closing' || (groupBuy.status === 'open' && groupBuy.leaderSuspended) ? 'closed' : groupBuy.status,
    title: groupBuy.title,
    cutoffAt: toBusinessIso(groupBuy.cutoffAt),
    pickupDate: groupBuy.pickupDate,
    ...(groupBuy.minTotalQuantity !== undefined ? { minTotalQuantity: groupBuy.minTotalQuantity } : {}),
    leader: { leaderId: groupBuy.leaderId, pickupPoint: groupBuy.pickupPoint },
    items: groupBuy.items.map((item) => ({
      productId: item.productId,
      name: item.name,
      unit: item.unit,
      groupPriceFen: item.groupPriceFen,
      ...(item.referencePriceFen !== undefined ? { referencePriceFen: item.referencePriceFen } : {}),
      // Real paid orders only (never reservations of unpaid ones, never a number anyone typed).
      soldQuantity: Math.max(0, sold?.get(item.productId)?.quantity ?? 0),
      buyers: Math.max(0, sold?.get(item.productId)?.buyers ?? 0),
      ...(item.stockLimit !== undefined
        ? { stockLimit: item.stockLimit, remaining: stock.get(item.productId)?.remaining ?? item.stockLimit }
        : {}),
      ...(item.perResidentLimit !== undefined ? { perResidentLimit: item.perResidentLimit } : {}),
    })),
  };
}

export async function viewGroupBuy(deps: Pick<GroupBuyDeps, 'groupBuys'>, groupBuyId: string) {
  const found = await deps.groupBuys.getWithStock(groupBuyId);
  if (!found) throw notFound('Group buy');
  return groupBuyView(found);
}

/** Resolves a share token to its group buy: forged, altered, expired or unknown tokens are refused. */
export async function resolveShareToken(
  deps: Pick<GroupBuyDeps, 'groupBuys' | 'shareKey' | 'clock'>,
  token: string,
): Promise<GroupBuyWithStock> {
  const claims = verifyShareToken(deps.shareKey(), token, deps.clock.now());
  const found = await deps.groupBuys.getWithStock(claims.groupBuyId);
  if (!found || found.groupBuy.leaderId !== claims.leaderId) throw invalidShareLink('unknown group buy');
  return found;
}
