// The catalogue function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples in
// events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in:
// an operator adds a supplier, the supplier adds a product and changes its price, a resident lists it.
import { accessEvent, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
const tokens: Record<'operator' | 'resident' | 'supplier', string> = { operator: '', resident: '', supplier: '' };
let supplierId: string;

const json = (r: { body?: string }) => JSON.parse(r.body!) as Record<string, unknown>;
beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  tokens.operator = await stageIdentity.issue({ userId: 'u-operator', roles: ['operator'] });
  tokens.resident = await stageIdentity.issue({ userId: 'u-resident', roles: [] });
});

test('an operator adds a supplier, the supplier adds a product, a resident lists it without its supply price', async () => {
  const supplier = await main(
    accessEvent('catalogue-create-product.json', {
      path: '/suppliers',
      body: { name: '阳光农场', contactPhone: '13700001111' },
      token: tokens.operator,
    }),
  );
  expect([supplier.statusCode, json(supplier)]).toEqual([201, expect.objectContaining({ name: '阳光农场' })]);
  supplierId = json(supplier).supplierId as string;
  expect(standIn.documents('suppliers')).toEqual([expect.objectContaining({ _id: supplierId, contactPhone: '13700001111' })]);
  expect(auditActions(standIn, supplierId)).toEqual(['supplier.created']);

  const { stageIdentity } = await import('../../lib/runtime/auth');
  tokens.supplier = await stageIdentity.issue({ userId: 'u-farm', roles: ['supplier'], supplierId });
  const sample = accessEvent('catalogue-create-product.json', { token: tokens.supplier });
  const created = await main({ ...sample, body: sample.body!.replace('<replaced by the test>', supplierId) });
  expect([created.statusCode, json(created)]).toEqual([
    201,
    expect.objectContaining({ name: '红富士苹果', supplyPriceFen: 800, groupPriceFen: 1290, caseSize: 6, status: 'active' }),
  ]);
  const productId = json(created).productId as string;
  expect(standIn.documents('products')).toEqual([expect.objectContaining({ _id: productId, supplierId, version: 1 })]);
  expect(auditActions(standIn, productId)).toEqual(['product.created']);

  const listed = await main(accessEvent('orders-get.json', { path: '/products', query: { supplierId }, token: tokens.resident }));
  expect(listed.statusCode).toBe(200);
  expect(json(listed)).toEqual({ items: [expect.objectContaining({ productId, name: '红富士苹果', groupPriceFen: 1290 })] });
  expect(JSON.stringify(json(listed))).not.toContain('supplyPriceFen');
  // A supplier of another farm may not add products to this one.
  const other = await stageIdentity.issue({ userId: 'u-other', roles: ['supplier'], supplierId: 'S-other' });
  const refused = await main({
    ...sample,
    headers: { ...sample.headers, authorization: `Bearer ${other}` },
    body: sample.body!.replace('<replaced by the test>', supplierId),
  });
  expect([refused.statusCode, json(refused)]).toEqual([403, { error: expect.objectContaining({ code: 'FORBIDDEN' }) }]);
  expect(standIn.documents('products')).toHaveLength(1);
});

test('the supplier lowers a price (the next version, audited), never below cost; without a token nothing happens', async () => {
  const productId = String(standIn.documents('products')[0]!._id);
  const patch = (body: unknown, token: string | null) =>
    main({ ...accessEvent('catalogue-create-product.json', { path: `/products/${productId}`, body, token }), httpMethod: 'PATCH' });

  const lowered = await patch({ groupPriceFen: 990 }, tokens.supplier);
  expect([lowered.statusCode, json(lowered)]).toEqual([
    200,
    expect.objectContaining({ productId, groupPriceFen: 990, supplyPriceFen: 800 }),
  ]);
  expect(standIn.documents('products')).toEqual([expect.objectContaining({ _id: productId, groupPriceFen: 990, version: 2 })]);
  expect(auditActions(standIn, productId)).toEqual(['product.created', 'product.updated']);

  const belowCost = await patch({ groupPriceFen: 700 }, tokens.supplier);
  expect([belowCost.statusCode, json(belowCost)]).toEqual([
    400,
    { error: expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'groupPriceFen' })] }) },
  ]);
  const anonymous = await patch({ groupPriceFen: 900 }, null);
  expect(anonymous.statusCode).toBe(401);
  expect(standIn.documents('products')).toEqual([expect.objectContaining({ groupPriceFen: 990, version: 2 })]);
});
