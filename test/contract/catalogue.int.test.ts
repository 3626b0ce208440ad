// The catalogue as one contract, run on both stores (DynamoDB Local; CloudBase through its real SDK against the
// stand-in), through its use-cases: suppliers and products added with their audit records, listed in the same
// order, supply prices shown to whom may see them, and a price change decided on the version it was read at.
import type { Product } from '../../schemas/catalogue';
import type { CatalogueDeps } from '../../lib/catalogue/catalogue';
import { createProduct, createSupplier, listActiveProducts, updateProduct } from '../../lib/catalogue/catalogue';
import type { Principal } from '../../lib/runtime/auth';
import { ulid } from '../../lib/runtime/clock';
import type { CatalogueStores } from './catalogue-stores';
import { CATALOGUE_TARGETS, codeOf } from './catalogue-stores';

const START = new Date('2026-12-01T02:00:00.000Z');
const operator: Principal = { userId: 'u-operator', roles: ['operator'] };
const resident: Principal = { userId: 'u-resident', roles: [] };
const supplierUser = (supplierId: string): Principal => ({ userId: `u-${supplierId}`, roles: ['supplier'], supplierId });

describe.each(CATALOGUE_TARGETS)('the catalogue on $name', (target) => {
  let stores: CatalogueStores & { stop(): Promise<void> };
  let now = START;
  let deps: CatalogueDeps;
  let farm: string;
  let dairy: string;
  /** The farm's products in the order they were added. */
  const farmProducts: Product[] = [];

  const product = (supplierId: string, name: string, groupPriceFen = 1200) => ({
    supplierId,
    name,
    unit: '袋',
    supplyPriceFen: 800,
    groupPriceFen,
    commissionRateBps: 1000,
    caseSize: 1,
  });

  beforeAll(async () => {
    stores = await target.start();
    deps = {
      catalogue: stores.catalogue,
      clock: { now: () => now },
      ids: {
        next: () => {
          // Each id a minute later, so that creation order is unambiguous on both stores.
          now = new Date(now.getTime() + 60_000);
          return ulid(now.getTime());
        },
      },
    };
    farm = (await createSupplier(deps, operator, { name: '阳光农场', contactPhone: '13700001111' })).supplierId;
    dairy = (await createSupplier(deps, operator, { name: '牧场乳业', contactPhone: '13700002222' })).supplierId;
    // Added out of name order: the supplier's list is by creation, the whole catalogue by name.
    for (const name of ['香蕉', '苹果', '橙子']) farmProducts.push(await createProduct(deps, supplierUser(farm), product(farm, name)));
    await createProduct(deps, operator, product(dairy, '牛奶', 600));
  });
  afterAll(() => stores.stop());

  it('adds suppliers and products, each with its audit record, for whom may add them', async () => {
    expect(await stores.catalogue.getSupplier(farm)).toMatchObject({ supplierId: farm, name: '阳光农场', contactPhone: '13700001111' });
    expect((await stores.auditTrail(farm)).map((e) => [e.action, e.actor])).toEqual([['supplier.created', 'u-operator']]);
    const banana = farmProducts[0]!;
    expect(banana).toMatchObject({ status: 'active', version: 1, caseSize: 1 });
    expect(await stores.catalogue.getProduct(banana.productId)).toEqual(banana);
    expect((await stores.auditTrail(banana.productId)).map((e) => [e.action, e.actor])).toEqual([['product.created', `u-${farm}`]]);

    // Only operators add suppliers; a supplier adds only its own products, and only to a supplier that exists.
    await expect(codeOf(createSupplier(deps, supplierUser(farm), { name: 'x', contactPhone: '13700003333' }))).resolves.toBe('FORBIDDEN');
    await expect(codeOf(createProduct(deps, supplierUser(farm), product(dairy, '酸奶')))).resolves.toBe('FORBIDDEN');
    await expect(codeOf(createProduct(deps, operator, product('S-none', '酸奶')))).resolves.toBe('VALIDATION_FAILED');
    expect(await stores.catalogue.getSupplier('S-none')).toBeUndefined();
  });

  it('lists a supplier’s products by creation and the whole catalogue by name, supply prices only for whom may see them', async () => {
    const names = (products: { name: string }[]) => products.map((p) => p.name);
    expect(names(await listActiveProducts(deps, resident, farm))).toEqual(['香蕉', '苹果', '橙子']);
    const all = await stores.catalogue.listProducts();
    expect(all.map((p) => p.name)).toEqual([...all.map((p) => p.name)].sort());
    expect(names(all).sort()).toEqual(['牛奶', '橙子', '苹果', '香蕉'].sort());

    const seenBy = async (principal: Principal) =>
      Object.fromEntries((await listActiveProducts(deps, principal, undefined)).map((p) => [p.name, 'supplyPriceFen' in p]));
    expect(await seenBy(resident)).toEqual({ 香蕉: false, 苹果: false, 橙子: false, 牛奶: false });
    expect(await seenBy(supplierUser(farm))).toEqual({ 香蕉: true, 苹果: true, 橙子: true, 牛奶: false });
    expect(await seenBy(operator)).toEqual({ 香蕉: true, 苹果: true, 橙子: true, 牛奶: true });

    // A product taken off sale stays in the store and is listed to nobody.
    const at = now.toISOString();
    const off: Product = { ...farmProducts[0]!, productId: ulid(START.getTime() - 1000), name: '下架梨', status: 'inactive' };
    await stores.catalogue.putProduct(off, { entityId: off.productId, entityType: 'product', action: 'product.created', actor: 'x', at });
    expect(await stores.catalogue.getProduct(off.productId)).toEqual(off);
    expect(names(await listActiveProducts(deps, operator, farm))).toEqual(['香蕉', '苹果', '橙子']);

    // Many at once, unknown ones left out.
    const ids = [...farmProducts.map((p) => p.productId), off.productId, 'P-none', farmProducts[0]!.productId];
    const found = await stores.catalogue.getProducts(ids);
    expect([...found.keys()].sort()).toEqual([...farmProducts.map((p) => p.productId), off.productId].sort());
    expect(found.get(farmProducts[1]!.productId)).toEqual(farmProducts[1]);
  });

  it('changes a price on the version read, keeps the price guard, and refuses a change decided on a stale read', async () => {
    const apple = farmProducts[1]!;
    const cheaper = await updateProduct(deps, supplierUser(farm), apple.productId, { groupPriceFen: 1000 });
    expect(cheaper).toMatchObject({ groupPriceFen: 1000, version: 2, updatedAt: now.toISOString() });
    expect(await stores.catalogue.getProduct(apple.productId)).toEqual(cheaper);
    const trail = await stores.auditTrail(apple.productId);
    expect(trail.map((e) => e.action)).toEqual(['product.created', 'product.updated']);
    expect(trail[1]).toMatchObject({ actor: `u-${farm}`, before: { groupPriceFen: 1200 }, after: { groupPriceFen: 1000 } });

    await expect(codeOf(updateProduct(deps, supplierUser(farm), apple.productId, { groupPriceFen: 800 }))).resolves.toBe(
      'VALIDATION_FAILED',
    );
    await expect(codeOf(updateProduct(deps, supplierUser(dairy), apple.productId, { groupPriceFen: 1100 }))).resolves.toBe('FORBIDDEN');
    await expect(codeOf(updateProduct(deps, operator, 'P-none', { groupPriceFen: 1100 }))).resolves.toBe('NOT_FOUND');

    // Two changes decided on the same version: the first wins, the second is stale and writes nothing.
    const audit = { entityId: apple.productId, entityType: 'product', action: 'product.updated', actor: 'x', at: now.toISOString() };
    expect(await stores.catalogue.updateProduct(cheaper, { ...cheaper, caseSize: 6 }, audit)).toBe('updated');
    expect(await stores.catalogue.updateProduct(cheaper, { ...cheaper, caseSize: 12 }, audit)).toBe('stale');
    expect(await stores.catalogue.getProduct(apple.productId)).toMatchObject({ caseSize: 6, version: 3 });
    // Racing through the use-case: each reads, one wins at a time; the losers are told to reload, none is lost silently.
    const outcomes = await Promise.all(
      [1100, 1150, 1180].map((fen) => codeOf(updateProduct(deps, operator, apple.productId, { groupPriceFen: fen }))),
    );
    const won = outcomes.filter((o) => o === 'ok').length;
    expect(won).toBeGreaterThanOrEqual(1);
    expect(outcomes.filter((o) => o !== 'ok')).toEqual(Array(3 - won).fill('CONFLICT'));
    expect((await stores.catalogue.getProduct(apple.productId))!.version).toBe(3 + won);
    expect(await stores.auditTrail(apple.productId)).toHaveLength(3 + won);
  });
});
