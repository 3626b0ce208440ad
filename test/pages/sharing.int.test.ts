// Sharing and the pages' server side, through the real stack: the poster's QR code decodes to the share
// link, the 接龙 text is the leader's alone, a share link answers HTML to browsers and JSON to API clients,
// `/` is the sign-in page, and /openapi.json describes every route of serverless.yml.
import { PAGE_PORT } from '../support/page-port';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { loadManifest } from '../../infra/manifest';
import { activeLeader, openGroupBuy, supplierWithProducts, unique } from '../support/fixtures';
import type { TestStack } from '../support/stack';
import { startTestStack } from '../support/stack';

let api: TestStack;
let leader: Awaited<ReturnType<typeof activeLeader>>;
let group: Awaited<ReturnType<typeof openGroupBuy>>;

beforeAll(async () => {
  api = await startTestStack({ port: PAGE_PORT });
  leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '丹东草莓', unit: '500g/盒', supplyPriceFen: 1800, groupPriceFen: 2590 }]);
  group = await openGroupBuy(api, leader.token, {
    title: '周末鲜果团',
    items: [{ productId: products[0]!.productId, perResidentLimit: 3 }],
  });
});
afterAll(() => api?.stop());

test('the poster is a PNG whose QR code decodes to the share link', async () => {
  const res = await fetch(`${api.stack.url}/share/${group.shareToken}/poster.png`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
  expect(png.width).toBeGreaterThanOrEqual(240);
  const qr = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  expect(qr?.data).toBe(group.shareUrl);
  // At least 240 px of code, with its 4-module quiet zone white.
  const { topLeftFinderPattern: tl, topRightFinderPattern: tr } = qr!.location;
  const modulePx = (tr.x - tl.x) / (qr!.version * 4 + 17 - 7);
  expect(modulePx * (qr!.version * 4 + 17 + 8)).toBeGreaterThanOrEqual(240);
  const quietLeft = Math.round(tl.x - 3.5 * modulePx - 4 * modulePx + 1);
  for (let x = quietLeft; x < tl.x - 3.5 * modulePx - 1; x++) expect(png.data[(Math.round(tl.y) * png.width + x) * 4]).toBeGreaterThan(200);
});

test('a forged link has no poster', async () => {
  const res = await api.call('GET', `/share/${group.shareToken.slice(0, -2)}xx/poster.png`);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('INVALID_SHARE_LINK');
});

test('the 接龙 text is for the group buy’s own leader', async () => {
  const res = await api.call('GET', `/group-buys/${group.groupBuyId}/share-text`, { token: leader.token });
  expect(res.status).toBe(200);
  expect(res.body.text).toContain('【接龙】周末鲜果团');
  expect(res.body.text).toContain('丹东草莓 ¥25.90/500g/盒，每人限购3份');
  expect(res.body.text).toContain('📍 自提点：芳芳小卖部');
  expect(res.body.text).toContain(group.shareUrl);
  const stranger = await api.login(unique('stranger'));
  expect((await api.call('GET', `/group-buys/${group.groupBuyId}/share-text`, { token: stranger })).status).toBe(403);
  expect((await api.call('GET', `/group-buys/${group.groupBuyId}/share-text`)).status).toBe(401);
});

test('a share link is the resident’s page to a browser and JSON to an API client', async () => {
  const html = await fetch(group.shareUrl, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  expect(html.headers.get('content-type')).toContain('text/html');
  expect(html.headers.get('vary')).toBe('Accept');
  const page = await html.text();
  expect(page).toContain('<title>周末鲜果团 · 芳芳小卖部</title>');
  expect(page).toContain('<meta property="og:title" content="周末鲜果团 · 芳芳小卖部">');
  expect(page).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  for (const accept of [undefined, 'application/json', '*/*']) {
    const json = await api.call('GET', `/share/${group.shareToken}`, { headers: accept ? { accept } : {} });
    expect(json.status).toBe(200);
    expect(json.body.title).toBe('周末鲜果团');
  }
});

test('/ is the sign-in page, app paths are the app, assets are served', async () => {
  for (const path of ['/', '/leader', '/operator/x', '/resident/orders/abc', '/docs']) {
    const res = await fetch(`${api.stack.url}${path}`);
    expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, 'text/html; charset=utf-8']);
    expect(await res.text()).toContain('<div id="app"></div>');
  }
  // API paths next to the pages stay the API's.
  expect((await api.call('GET', '/leaders/me')).status).toBe(401);
  expect((await fetch(`${api.stack.url}/assets/nope.js`)).status).toBe(404);
});

test('/openapi.json describes every route that serverless.yml serves, from the request schemas', async () => {
  const doc = (await api.call('GET', '/openapi.json')).body;
  expect(doc.openapi).toBe('3.1.0');
  const routes = loadManifest().flatMap((f) => f.http.filter((h) => h.path !== '*').map((h) => `${h.method} ${h.path}`));
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  expect(documented.sort()).toEqual(routes.sort());
  const placeOrder = doc.paths['/orders'].post;
  expect(placeOrder.requestBody.content['application/json'].schema.required).toEqual(
    expect.arrayContaining(['shareToken', 'items', 'contactName', 'contactPhone']),
  );
  expect(placeOrder.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
  expect(doc.paths['/share/{shareToken}/poster.png'].get.security).toEqual([]);
});
