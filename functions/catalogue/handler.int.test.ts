// Suppliers and the catalogue through HTTP against the real local stack: who may add what, the
// price rules, and who sees supply prices.
import { useStack } from '../../test/support/stack';
import { activeLeader, supplierWithProducts, unique } from '../../test/support/fixtures';

const api = useStack();
let operator: string;

beforeAll(async () => {
  operator = await api.login('op-catalogue', ['operator']);
});

const product = (supplierId: string, extra: Record<string, unknown> = {}) => ({
  supplierId,
  name: '阳光玫瑰葡萄',
  unit: '盒',
  supplyPriceFen: 2500,
  groupPriceFen: 3290,
  ...extra,
});

async function newSupplier(name = unique('鲜果供应商')) {
  const res = await api.call('POST', '/suppliers', { token: operator, body: { name, contactPhone: '13700002222' } });
  expect(res.status).toBe(201);
  return res.body.supplierId as string;
}

const listed = async (token: string, supplierId?: string) => {
  const res = await api.call('GET', supplierId ? `/products?supplierId=${supplierId}` : '/products', { token });
  expect(res.status).toBe(200);
  return res.body.items as Record<string, unknown>[];
};

const paths = (res: { body: { error: { details?: { path: string }[] } } }) => (res.body.error.details ?? []).map((d) => d.path);

describe('suppliers', () => {
  test('an operator creates a supplier and gets its id', async () => {
    const res = await api.call('POST', '/suppliers', { token: operator, body: { name: '崇明蔬菜合作社', contactPhone: '13700001234' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ supplierId: expect.any(String) });
    expect(res.body.supplierId).not.toBe('');
  });

  test('a non-operator is 403 FORBIDDEN, whether resident or supplier', async () => {
    const supplierId = await newSupplier();
    for (const token of [await api.login('u-not-op'), await api.login('sup-not-op', ['supplier'], supplierId)]) {
      const res = await api.call('POST', '/suppliers', { token, body: { name: '野生供应商', contactPhone: '13700001234' } });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  test.each(['1370000123', '23700001234', '1370000123x', ''])(
    'contactPhone %p is 400 VALIDATION_FAILED naming contactPhone',
    async (contactPhone) => {
      const res = await api.call('POST', '/suppliers', { token: operator, body: { name: '崇明蔬菜合作社', contactPhone } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(paths(res)).toEqual(['contactPhone']);
    },
  );

  test('a missing name is 400 naming name', async () => {
    const res = await api.call('POST', '/suppliers', { token: operator, body: { contactPhone: '13700001234' } });
    expect(res.status).toBe(400);
    expect(paths(res)).toContain('name');
  });
});

describe('products', () => {
  test('an operator adds a product; the commission rate defaults to 1000 bps', async () => {
    const supplierId = await newSupplier();
    const res = await api.call('POST', '/products', { token: operator, body: product(supplierId) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      productId: expect.any(String),
      supplierId,
      name: '阳光玫瑰葡萄',
      unit: '盒',
      supplyPriceFen: 2500,
      groupPriceFen: 3290,
      commissionRateBps: 1000,
    });

    const items = await listed(operator, supplierId);
    expect(items).toEqual([expect.objectContaining({ productId: res.body.productId, commissionRateBps: 1000, groupPriceFen: 3290 })]);
  });

  test('an explicit commission rate is kept', async () => {
    const supplierId = await newSupplier();
    const res = await api.call('POST', '/products', { token: operator, body: product(supplierId, { commissionRateBps: 1500 }) });
    expect(res.status).toBe(201);
    expect(res.body.commissionRateBps).toBe(1500);
  });

  test.each([
    ['group price equal to the supply price', 'groupPriceFen', { supplyPriceFen: 2500, groupPriceFen: 2500 }],
    ['group price below the supply price', 'groupPriceFen', { supplyPriceFen: 2500, groupPriceFen: 2499 }],
    ['fractional supply price', 'supplyPriceFen', { supplyPriceFen: 25.5 }],
    ['fractional group price', 'groupPriceFen', { groupPriceFen: 32.9 }],
    ['negative supply price', 'supplyPriceFen', { supplyPriceFen: -1 }],
    ['negative group price', 'groupPriceFen', { groupPriceFen: -3290 }],
    ['price as a string', 'groupPriceFen', { groupPriceFen: '3290' }],
    ['fractional commission rate', 'commissionRateBps', { commissionRateBps: 10.5 }],
    ['commission rate over 100 %', 'commissionRateBps', { commissionRateBps: 10_001 }],
    ['empty unit', 'unit', { unit: '' }],
  ] as const)('%s is 400 VALIDATION_FAILED naming %s, and adds nothing', async (_case, path, extra) => {
    const supplierId = await newSupplier();
    const res = await api.call('POST', '/products', { token: operator, body: product(supplierId, extra) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(res)).toContain(path);
    expect(await listed(operator, supplierId)).toEqual([]);
  });

  test('an unknown supplier is 400 naming supplierId', async () => {
    const res = await api.call('POST', '/products', { token: operator, body: product('NO-SUCH-SUPPLIER') });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(res)).toEqual(['supplierId']);
  });

  test('a supplier adds products for itself, but not for another supplier', async () => {
    const own = await newSupplier();
    const other = await newSupplier();
    const supplier = await api.login(unique('sup-user'), ['supplier'], own);

    const mine = await api.call('POST', '/products', { token: supplier, body: product(own) });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ supplierId: own, supplyPriceFen: 2500 });

    const theirs = await api.call('POST', '/products', { token: supplier, body: product(other) });
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.code).toBe('FORBIDDEN');
    expect(await listed(operator, other)).toEqual([]);
  });

  test('a plain user, even an active leader, may not add products', async () => {
    const supplierId = await newSupplier();
    const leader = await activeLeader(api);
    for (const token of [await api.login('u-plain-product'), leader.token]) {
      const res = await api.call('POST', '/products', { token, body: product(supplierId) });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect(await listed(operator, supplierId)).toEqual([]);
  });
});

describe('listing the catalogue', () => {
  test("?supplierId= lists that supplier's products; no filter lists every supplier's", async () => {
    const a = await supplierWithProducts(api, [{ name: '苹果' }, { name: '香蕉' }]);
    const b = await supplierWithProducts(api, [{ name: '鸡蛋' }]);

    const ofA = await listed(operator, a.supplierId);
    expect(ofA.map((p) => p.productId).sort()).toEqual(a.products.map((p) => p.productId).sort());
    expect(ofA.every((p) => p.supplierId === a.supplierId)).toBe(true);

    const all = (await listed(operator)).map((p) => p.productId);
    expect(all).toEqual(expect.arrayContaining([...a.products, ...b.products].map((p) => p.productId)));
  });

  test('supply prices are shown to operators and the owning supplier only', async () => {
    const a = await supplierWithProducts(api, [{ supplyPriceFen: 777, groupPriceFen: 999 }]);
    const b = await supplierWithProducts(api, [{ supplyPriceFen: 555, groupPriceFen: 888 }]);
    const supplierA = await api.login(unique('sup-a'), ['supplier'], a.supplierId);
    const leader = await activeLeader(api);
    const resident = await api.login('u-resident-catalogue');

    expect((await listed(operator, a.supplierId))[0]).toMatchObject({ supplyPriceFen: 777, groupPriceFen: 999 });
    expect((await listed(supplierA, a.supplierId))[0]).toMatchObject({ supplyPriceFen: 777, groupPriceFen: 999 });

    // Another supplier's products: the price residents pay, never what the supplier charges.
    const seenByA = await listed(supplierA, b.supplierId);
    expect(seenByA[0]).toMatchObject({ productId: b.products[0]!.productId, groupPriceFen: 888 });
    expect(seenByA[0]).not.toHaveProperty('supplyPriceFen');

    for (const token of [resident, leader.token]) {
      const items = await listed(token, a.supplierId);
      expect(items[0]).toMatchObject({ groupPriceFen: 999 });
      expect(items[0]).not.toHaveProperty('supplyPriceFen');
      const all = await api.call('GET', '/products', { token });
      expect(all.text).not.toContain('supplyPriceFen');
    }
  });

  test('a malformed supplierId filter is 400 naming supplierId', async () => {
    const res = await api.call('GET', `/products?supplierId=${encodeURIComponent('not an id!')}`, { token: operator });
    expect(res.status).toBe(400);
    expect(paths(res)).toEqual(['supplierId']);
  });
});

test('every catalogue route needs a token: 401 UNAUTHENTICATED', async () => {
  for (const [method, path, body] of [
    ['POST', '/suppliers', { name: '无名', contactPhone: '13700001234' }],
    ['POST', '/products', product('ANY')],
    ['GET', '/products', undefined],
    ['GET', '/products?supplierId=ANY', undefined],
  ] as const) {
    const res = await api.call(method, path, { body });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  }
});
