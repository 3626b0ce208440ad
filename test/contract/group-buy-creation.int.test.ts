// Opening a group buy as one contract, run on both stores (DynamoDB Local; CloudBase through its real SDK against
// the stand-in), through the use-case and the real catalogue and leader stores: the snapshot of prices and
// commissions, the stock, the audit record, the share link, who may open one, and the 划线价 backed by what
// residents really paid in the 7 days before.
import type { CreateGroupBuyBody } from '../../schemas/group-buys';
import type { CatalogueDeps } from '../../lib/catalogue/catalogue';
import { createProduct, createSupplier, updateProduct } from '../../lib/catalogue/catalogue';
import type { GroupBuyDeps } from '../../lib/group-buys/group-buys';
import { openGroupBuy, resolveShareToken, viewGroupBuy } from '../../lib/group-buys/group-buys';
import { shareLinkKey } from '../../lib/group-buys/share-link';
import type { LeaderDeps } from '../../lib/leaders/leaders';
import { applyAsLeader, reviewLeader } from '../../lib/leaders/leaders';
import { placeOrder } from '../../lib/orders/orders';
import { applyPayment } from '../../lib/payments/payments';
import type { Principal } from '../../lib/runtime/auth';
import { ulid } from '../../lib/runtime/clock';
import type { CatalogueStores } from './catalogue-stores';
import { CATALOGUE_TARGETS, codeOf, placementDeps } from './catalogue-stores';

const START = new Date('2026-12-01T02:00:00.000Z');
const KEY = shareLinkKey('contract-suite-secret');
const operator: Principal = { userId: 'u-operator', roles: ['operator'] };
const leaderUser: Principal = { userId: 'u-leader', roles: [] };
const user = (userId: string): Principal => ({ userId, roles: [] });

describe.each(CATALOGUE_TARGETS)('opening a group buy on $name', (target) => {
  let stores: CatalogueStores & { stop(): Promise<void> };
  let now = START;
  let deps: GroupBuyDeps;
  let apple: string;
  let rice: string;
  let leaderId: string;

  beforeAll(async () => {
    stores = await target.start();
    const common = { clock: { now: () => now }, ids: { next: () => ulid(now.getTime()) } };
    const catalogue: CatalogueDeps = { catalogue: stores.catalogue, ...common };
    const leaders: LeaderDeps = { leaders: stores.leaders, ...common };
    deps = {
      groupBuys: stores.groupBuys,
      leaders: stores.leaders,
      catalogue: stores.catalogue,
      ...common,
      shareKey: () => KEY,
      publicUrl: 'https://tuangou.example.cn',
    };

    const { supplierId } = await createSupplier(catalogue, operator, { name: '阳光农场', contactPhone: '13700001111' });
    const product = (name: string, supplyPriceFen: number, groupPriceFen: number) =>
      createProduct(catalogue, operator, {
        supplierId,
        name,
        unit: '袋',
        supplyPriceFen,
        groupPriceFen,
        commissionRateBps: 1000,
        caseSize: 1,
      });
    apple = (await product('苹果', 800, 1200)).productId;
    rice = (await product('大米', 3000, 4000)).productId;
    leaderId = (
      await applyAsLeader(leaders, leaderUser, {
        name: '张团长',
        phone: '13900001111',
        pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
      })
    ).leaderId;
    await reviewLeader(leaders, operator, leaderId, 'approve');
    // A user whose application is still pending.
    await applyAsLeader(leaders, user('u-pending'), {
      name: '李团长',
      phone: '13900002222',
      pickupPoint: { name: '阳光小区', address: '2 号楼', community: '阳光', city: '杭州' },
    });
  });
  afterAll(() => stores.stop());

  const body = (items: CreateGroupBuyBody['items']): CreateGroupBuyBody => ({
    title: '周三团',
    cutoffAt: new Date(now.getTime() + 12 * 3600_000).toISOString(),
    pickupDate: '2026-12-02',
    items,
  });

  it('opens one from active products for an active leader: prices snapshot, stock, audit, and a share link that opens it', async () => {
    const { groupBuy, shareToken, shareUrl } = await openGroupBuy(
      deps,
      leaderUser,
      body([{ productId: apple, stockLimit: 50, perResidentLimit: 2 }, { productId: rice }]),
    );
    expect(groupBuy).toMatchObject({
      leaderId,
      status: 'open',
      version: 1,
      pickupPoint: { name: '幸福小区', city: '杭州' },
      items: [
        {
          productId: apple,
          name: '苹果',
          supplyPriceFen: 800,
          groupPriceFen: 1200,
          commissionRateBps: 1000,
          stockLimit: 50,
          perResidentLimit: 2,
        },
        { productId: rice, name: '大米', supplyPriceFen: 3000, groupPriceFen: 4000 },
      ],
    });
    // No sale in the 7 days before: no 划线价.
    expect(groupBuy.items.map((i) => i.referencePriceFen)).toEqual([undefined, undefined]);
    expect(await stores.groupBuys.get(groupBuy.groupBuyId)).toEqual(groupBuy);
    expect((await stores.auditTrail(groupBuy.groupBuyId)).map((e) => [e.action, e.actor])).toEqual([['groupBuy.opened', 'u-leader']]);
    expect(await stores.leaders.openGroupBuysOf(leaderId)).toContain(groupBuy.groupBuyId);

    expect(shareUrl).toBe(`https://tuangou.example.cn/share/${shareToken}`);
    const shared = await resolveShareToken(deps, shareToken);
    expect(shared.groupBuy).toEqual(groupBuy);
    const view = await viewGroupBuy(deps, groupBuy.groupBuyId);
    expect(view).toMatchObject({
      status: 'open',
      leader: { leaderId },
      items: [{ productId: apple, remaining: 50, stockLimit: 50 }, { productId: rice }],
    });
    expect(JSON.stringify(view)).not.toContain('supplyPriceFen');
  });

  it('opens none for a user who is not an active leader, of a product that is not on sale, or past its cutoff', async () => {
    const openBefore = await stores.leaders.openGroupBuysOf(leaderId);
    await expect(codeOf(openGroupBuy(deps, user('u-nobody'), body([{ productId: apple }])))).resolves.toBe('FORBIDDEN');
    await expect(codeOf(openGroupBuy(deps, user('u-pending'), body([{ productId: apple }])))).resolves.toBe('FORBIDDEN');
    await expect(codeOf(openGroupBuy(deps, leaderUser, body([{ productId: apple }, { productId: 'P-none' }])))).resolves.toBe(
      'VALIDATION_FAILED',
    );
    const late = { ...body([{ productId: apple }]), cutoffAt: new Date(now.getTime() - 1000).toISOString() };
    await expect(codeOf(openGroupBuy(deps, leaderUser, late))).resolves.toBe('VALIDATION_FAILED');
    expect(await stores.leaders.openGroupBuysOf(leaderId)).toEqual(openBefore);
  });

  it('shows a 划线价 only where residents really paid more for the product in the 7 days before (issue 12)', async () => {
    const { groupBuy, shareToken } = await openGroupBuy(deps, leaderUser, body([{ productId: apple }, { productId: rice }]));
    const orderDeps = placementDeps(stores, deps.clock, deps.ids, KEY);
    // A resident buys apples at 12.00 and pays; another reserves rice and never pays.
    const contact = { contactName: '王芳', contactPhone: '13800138000' };
    const { order } = await placeOrder(orderDeps, user('u-paid'), 'k-paid', {
      shareToken,
      items: [{ productId: apple, quantity: 2 }],
      ...contact,
    });
    const paid = await applyPayment(
      { orders: stores.orders, clock: deps.clock },
      { paymentId: `wx-${order.orderId}`, orderId: order.orderId, amountFen: order.totalFen, paidAt: now.toISOString() },
    );
    expect(paid.outcome).toBe('paid');
    await placeOrder(orderDeps, user('u-unpaid'), 'k-unpaid', { shareToken, items: [{ productId: rice, quantity: 1 }], ...contact });

    // Two days later the farm lowers both prices; the next group buy shows 12.00 struck through above 10.00 for
    // apples, and nothing for rice (reserved, never paid).
    now = new Date(now.getTime() + 2 * 86400_000);
    const catalogue: CatalogueDeps = { catalogue: stores.catalogue, clock: deps.clock, ids: deps.ids };
    await updateProduct(catalogue, operator, apple, { groupPriceFen: 1000 });
    await updateProduct(catalogue, operator, rice, { groupPriceFen: 3800 });
    const next = await openGroupBuy(deps, leaderUser, { ...body([{ productId: apple }, { productId: rice }]), pickupDate: '2026-12-04' });
    expect(next.groupBuy.items.map((i) => [i.groupPriceFen, i.referencePriceFen])).toEqual([
      [1000, 1200],
      [3800, undefined],
    ]);
    expect((await viewGroupBuy(deps, next.groupBuy.groupBuyId)).items[0]).toMatchObject({ groupPriceFen: 1000, referencePriceFen: 1200 });
    // The group buy already open keeps the prices it opened with.
    expect((await stores.groupBuys.get(groupBuy.groupBuyId))!.items.map((i) => i.groupPriceFen)).toEqual([1200, 4000]);

    // A week after the sale the evidence is too old: no 划线价 any more.
    now = new Date(now.getTime() + 6 * 86400_000);
    const later = await openGroupBuy(deps, leaderUser, { ...body([{ productId: apple }]), pickupDate: '2026-12-10' });
    expect(later.groupBuy.items[0]!.referencePriceFen).toBeUndefined();
  });
});
