// The groupBuys function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples in
// events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in:
// an approved leader opens a group buy (with the 划线价 a real earlier sale backs), and residents open it through
// the share link (the JSON, the page a browser gets, the poster); the leader copies the 接龙 text.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { accessEvent, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { businessDate } from '../../lib/runtime/time';

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
let leaderToken: string;
let residentToken: string;
let productId: string;
let created: { groupBuyId: string; shareToken: string; shareUrl: string };

/** A separate Node process (async: the stand-in answers it from this one). */
const run = async (file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) =>
  (await promisify(execFile)(file, args, { ...options, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })).stdout;

const json = (r: { body?: string }) => JSON.parse(r.body!) as Record<string, unknown>;

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { cloudbaseCatalogueStore } = await import('../../lib/adapters/cloudbase/catalogue');
  const { cloudbaseLeaderStore } = await import('../../lib/adapters/cloudbase/leaders');
  const { applyAsLeader, reviewLeader } = await import('../../lib/leaders/leaders');
  const { createProduct, createSupplier } = await import('../../lib/catalogue/catalogue');
  const { randomIds, systemClock } = await import('../../lib/runtime/clock');
  const db = await standInDb(standIn);
  const operator = { userId: 'u-operator', roles: ['operator' as const] };

  // What the catalogue and leaders functions leave behind: a farm's apples, and 张丽 approved as a leader.
  const catalogue = { catalogue: cloudbaseCatalogueStore(db), clock: systemClock, ids: randomIds };
  const { supplierId } = await createSupplier(catalogue, operator, { name: '阳光农场', contactPhone: '13700001111' });
  const body = {
    supplierId,
    name: '红富士苹果',
    unit: '袋',
    supplyPriceFen: 800,
    groupPriceFen: 1290,
    commissionRateBps: 1000,
    caseSize: 1,
  };
  productId = (await createProduct(catalogue, operator, body)).productId;
  const leaders = { leaders: cloudbaseLeaderStore(db), clock: systemClock, ids: randomIds };
  const pickupPoint = { name: '幸福里便利店', address: '幸福路 88 号', community: '幸福里', city: '杭州' };
  const leader = await applyAsLeader(leaders, { userId: 'u-zhangli', roles: [] }, { name: '张丽', phone: '13912345678', pickupPoint });
  await reviewLeader(leaders, operator, leader.leaderId, 'approve');
  // Residents paid 15.90 for these apples yesterday (the evidence a payment leaves, lib/adapters/cloudbase/group-buys.ts).
  const yesterday = new Date(Date.now() - 86400_000);
  await db.collection('productPrices').add({
    productId,
    date: businessDate(yesterday),
    unitPriceFen: 1590,
    firstPaidAt: yesterday.toISOString(),
    lastPaidAt: yesterday.toISOString(),
  });

  leaderToken = await stageIdentity.issue({ userId: 'u-zhangli', roles: [] });
  residentToken = await stageIdentity.issue({ userId: 'u-resident', roles: [] });
});

test('the leader opens a group buy: its snapshot, stock and audit are stored, with a 划线价 a real sale backs', async () => {
  const cutoff = new Date(Date.now() + 20 * 3600_000);
  const sample = accessEvent('group-buys-create.json', { token: leaderToken });
  const request = JSON.parse(sample.body!) as { cutoffAt: string; pickupDate: string; items: { productId: string }[] };
  request.cutoffAt = cutoff.toISOString();
  request.pickupDate = businessDate(new Date(cutoff.getTime() + 86400_000));
  request.items[0]!.productId = productId;
  const opened = await main(accessEvent('group-buys-create.json', { token: leaderToken, body: request }));
  expect([opened.statusCode, opened.statusCode === 201 ? '' : opened.body]).toEqual([201, '']);
  created = json(opened) as typeof created;
  expect(json(opened)).toMatchObject({
    status: 'open',
    title: '周末水果团',
    items: [{ productId, groupPriceFen: 1290, referencePriceFen: 1590, stockLimit: 30, remaining: 30, perResidentLimit: 2 }],
  });
  const { config } = await import('../../lib/runtime/config');
  expect(created.shareUrl).toBe(`${config.publicUrl}/share/${created.shareToken}`);
  expect(opened.body).not.toContain('supplyPriceFen');
  expect(standIn.documents('groupBuys')).toEqual([expect.objectContaining({ _id: created.groupBuyId, version: 1 })]);
  expect(standIn.documents('groupBuyItems')).toEqual([expect.objectContaining({ productId, remaining: 30, sold: 0, status: 'open' })]);
  expect(standIn.documents('audit').filter((d) => d.entityId === created.groupBuyId)).toEqual([
    expect.objectContaining({ action: 'groupBuy.opened', actor: 'u-zhangli' }),
  ]);

  // A resident is no leader: refused, nothing stored.
  const refused = await main(accessEvent('group-buys-create.json', { token: residentToken, body: request }));
  expect([refused.statusCode, json(refused)]).toEqual([403, { error: expect.objectContaining({ code: 'FORBIDDEN' }) }]);
  expect(standIn.documents('groupBuys')).toHaveLength(1);
});

test('a resident opens it through the share link: the JSON, the page a browser gets, the poster; a forged link is refused', async () => {
  const shareJson = await main(accessEvent('orders-get.json', { path: `/share/${created.shareToken}`, token: null }));
  expect([shareJson.statusCode, json(shareJson)]).toEqual([
    200,
    expect.objectContaining({ groupBuyId: created.groupBuyId, status: 'open', items: [expect.objectContaining({ remaining: 30 })] }),
  ]);
  const direct = await main(accessEvent('orders-get.json', { path: `/group-buys/${created.groupBuyId}`, token: null }));
  expect([direct.statusCode, json(direct)]).toEqual([200, json(shareJson)]);

  const page = await main(accessEvent('share-open.json', { path: `/share/${created.shareToken}` }));
  expect([page.statusCode, page.headers?.['content-type']]).toEqual([200, expect.stringContaining('text/html')]);
  expect(page.body).toContain('<title>周末水果团 · 幸福里便利店</title>');

  const poster = await main(
    accessEvent('share-open.json', { path: `/share/${created.shareToken}/poster.png`, headers: { accept: 'image/*' } }),
  );
  expect([poster.statusCode, poster.headers?.['content-type'], poster.isBase64Encoded]).toEqual([200, 'image/png', true]);
  expect(Buffer.from(poster.body!, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');

  const [id, leader, exp] = created.shareToken.split('.');
  const forged = await main(accessEvent('orders-get.json', { path: `/share/${[id, leader, exp, 'forged'].join('.')}`, token: null }));
  expect([forged.statusCode, json(forged)]).toEqual([
    expect.any(Number),
    { error: expect.objectContaining({ code: 'INVALID_SHARE_LINK' }) },
  ]);
});

test('the leader copies the 接龙 text carrying the share link; another user may not', async () => {
  const text = await main(accessEvent('orders-get.json', { path: `/group-buys/${created.groupBuyId}/share-text`, token: leaderToken }));
  expect(text.statusCode).toBe(200);
  expect(json(text).text).toEqual(expect.stringContaining(`👉 点链接下单：${created.shareUrl}`));
  expect(json(text).text).toEqual(expect.stringContaining('【接龙】周末水果团'));
  const other = await main(accessEvent('orders-get.json', { path: `/group-buys/${created.groupBuyId}/share-text`, token: residentToken }));
  expect(other.statusCode).toBe(403);
});

test('the built bundle carries the poster’s glyphs and serves the poster on its own, from a directory with nothing else', async () => {
  const { buildFunctions } = await import('../../scripts/cloudbase');
  const out = mkdtempSync(join(tmpdir(), 'cloudbase-groupbuys-'));
  // The web shell is built by `npm run build:web`, which this test does not run: the build says so and goes on.
  const warned = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const [bundle] = await buildFunctions(['groupBuys'], out);
    expect(existsSync(join(dirname(bundle!.file), 'assets/fonts/NotoSansSC-Bold-GB2312.glyphs.bin'))).toBe(true);
    const event = accessEvent('share-open.json', { path: `/share/${created.shareToken}/poster.png`, headers: { accept: 'image/*' } });
    const script = `require(${JSON.stringify(bundle!.file)}).main(${JSON.stringify(event)}, {}).then(r => process.stdout.write(JSON.stringify(r)))`;
    const answer = JSON.parse(
      await run(process.execPath, ['-e', script], {
        cwd: out,
        env: {
          PATH: process.env.PATH,
          STAGE: 'local',
          DATA_STORE: 'cloudbase',
          CLOUDBASE_ENV: process.env.CLOUDBASE_ENV,
          CLOUDBASE_SERVICE_URL: standIn.url,
          AUTH_SECRET: process.env.AUTH_SECRET,
          POWERTOOLS_DEV: 'true',
        },
      }),
    ) as { statusCode: number; headers: Record<string, string>; body: string };
    expect([answer.statusCode, answer.headers['content-type']]).toEqual([200, 'image/png']);
    expect(Buffer.from(answer.body, 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
  } finally {
    warned.mockRestore();
    rmSync(out, { recursive: true, force: true });
  }
});
