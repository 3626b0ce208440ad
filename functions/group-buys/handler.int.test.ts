// Group buys and share links through HTTP against the real local stack: who may open one, the date
// rules in Asia/Shanghai, the public view (live stock, no supply prices), and every kind of bad link.
import { useStack } from '../../test/support/stack';
import {
  activeLeader,
  hoursFromNow,
  openGroupBuy,
  operatorToken,
  pickupPoint,
  placeOrder,
  shanghaiDate,
  supplierWithProducts,
  unique,
} from '../../test/support/fixtures';
import { shareLinkKey, signShareToken, verifyShareToken } from '../../lib/group-buys/share-link';
import { config } from '../../lib/runtime/config';
import { endOfBusinessDate } from '../../lib/runtime/time';

const api = useStack();
let leader: Awaited<ReturnType<typeof activeLeader>>;
let catalogue: Awaited<ReturnType<typeof supplierWithProducts>>;

beforeAll(async () => {
  leader = await activeLeader(api);
  catalogue = await supplierWithProducts(api, [
    { name: '阳光玫瑰葡萄', unit: '盒', supplyPriceFen: 2500, groupPriceFen: 3290, commissionRateBps: 1200 },
    { name: '土鸡蛋', unit: '30枚', supplyPriceFen: 1800, groupPriceFen: 2590 },
  ]);
});

const grapes = () => catalogue.products[0]!;
const eggs = () => catalogue.products[1]!;

const shareKey = () => shareLinkKey(config.authSecret);
/** A calendar date n days from the given one. */
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const groupBuyBody = (extra: Record<string, unknown> = {}) => ({
  title: '周末鲜果团',
  cutoffAt: hoursFromNow(6),
  pickupDate: shanghaiDate(hoursFromNow(30)),
  items: [{ productId: grapes().productId, stockLimit: 10, perResidentLimit: 3 }, { productId: eggs().productId }],
  ...extra,
});

const open = (token: string, body: Record<string, unknown>) => api.call('POST', '/group-buys', { token, body });
const paths = (res: { body: { error: { details?: { path: string }[] } } }) => (res.body.error.details ?? []).map((d) => d.path);

describe('opening a group buy', () => {
  test('an active leader opens one and gets a share link carrying its token', async () => {
    const res = await open(leader.token, groupBuyBody());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      groupBuyId: expect.any(String),
      status: 'open',
      shareToken: expect.any(String),
      shareUrl: expect.any(String),
    });
    expect(res.body.shareUrl).toContain(res.body.shareToken);
    expect(res.body.shareUrl.endsWith(`/share/${res.body.shareToken}`)).toBe(true);
    expect(res.body.shareToken).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  test('the share token names the group buy and the leader, and lasts until the end of the pickup date', async () => {
    const pickupDate = shanghaiDate(hoursFromNow(54));
    const res = await open(leader.token, groupBuyBody({ pickupDate }));
    const claims = verifyShareToken(shareKey(), res.body.shareToken, new Date());
    expect(claims).toEqual({ groupBuyId: res.body.groupBuyId, leaderId: leader.leaderId, expiresAt: endOfBusinessDate(pickupDate) });
  });

  test('a user without a leader record is 403 FORBIDDEN', async () => {
    const res = await open(await api.login(unique('u-no-leader')), groupBuyBody());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  test('a pending leader and a suspended leader are 403 FORBIDDEN', async () => {
    const pending = await api.login(unique('u-pending'));
    expect(
      (await api.call('POST', '/leaders', { token: pending, body: { name: '候选团长', phone: '13900002222', pickupPoint } })).status,
    ).toBe(201);
    const suspended = await activeLeader(api);
    const suspend = await api.call('POST', `/leaders/${suspended.leaderId}/suspend`, {
      token: await operatorToken(api),
      body: { reason: '多次投诉' },
    });
    expect(suspend.status).toBe(200);

    for (const token of [pending, suspended.token]) {
      const res = await open(token, groupBuyBody());
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });

  test('an operator without a leader record may not open one either', async () => {
    const res = await open(await operatorToken(api), groupBuyBody());
    expect(res.status).toBe(403);
  });

  test('no token is 401', async () => {
    const res = await api.call('POST', '/group-buys', { body: groupBuyBody() });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  test.each([
    ['a cutoff in the past', 'cutoffAt', () => ({ cutoffAt: hoursFromNow(-1), pickupDate: shanghaiDate(hoursFromNow(24)) })],
    [
      'a cutoff more than 7 days away',
      'cutoffAt',
      () => ({ cutoffAt: hoursFromNow(7 * 24 + 1), pickupDate: shanghaiDate(hoursFromNow(8 * 24)) }),
    ],
    ['a cutoff without an offset', 'cutoffAt', () => ({ cutoffAt: hoursFromNow(6).replace('Z', '') })],
    [
      'a pickup date before the cutoff date',
      'pickupDate',
      () => ({ cutoffAt: hoursFromNow(48), pickupDate: plusDays(shanghaiDate(hoursFromNow(48)), -1) }),
    ],
    ['a pickup date that is not a date', 'pickupDate', () => ({ pickupDate: '2026/11/24' })],
    ['an unknown product', 'items.0.productId', () => ({ items: [{ productId: 'NO-SUCH-PRODUCT' }] })],
    [
      'an unknown second product',
      'items.1.productId',
      () => ({ items: [{ productId: grapes().productId }, { productId: 'NO-SUCH-PRODUCT' }] }),
    ],
    [
      'the same product twice',
      'items.1.productId',
      () => ({ items: [{ productId: grapes().productId }, { productId: grapes().productId, stockLimit: 5 }] }),
    ],
    ['no items', 'items', () => ({ items: [] })],
    ['a zero stock limit', 'items.0.stockLimit', () => ({ items: [{ productId: grapes().productId, stockLimit: 0 }] })],
    [
      'a fractional per-resident limit',
      'items.0.perResidentLimit',
      () => ({ items: [{ productId: grapes().productId, perResidentLimit: 1.5 }] }),
    ],
    ['an empty title', 'title', () => ({ title: '  ' })],
  ] as const)('%s is 400 VALIDATION_FAILED naming %s', async (_case, path, extra) => {
    const res = await open(leader.token, groupBuyBody(extra()));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(res)).toContain(path);
  });

  test("the pickup date is compared with the cutoff's date in Asia/Shanghai, not in UTC", async () => {
    // A cutoff at 00:30 Shanghai time is still the previous day in UTC.
    const day = shanghaiDate(hoursFromNow(72));
    const cutoffAt = new Date(Date.parse(`${day}T00:30:00+08:00`)).toISOString();
    expect(cutoffAt.slice(0, 10)).toBe(plusDays(day, -1));

    const tooEarly = await open(leader.token, groupBuyBody({ cutoffAt, pickupDate: plusDays(day, -1) }));
    expect(tooEarly.status).toBe(400);
    expect(paths(tooEarly)).toEqual(['pickupDate']);
    expect((await open(leader.token, groupBuyBody({ cutoffAt, pickupDate: day }))).status).toBe(201);
  });

  test('our rule where API.md is silent: the pickup date is at most 7 days after the cutoff date', async () => {
    const cutoffAt = hoursFromNow(6);
    const lastDay = plusDays(shanghaiDate(cutoffAt), 7);
    const tooLate = await open(leader.token, groupBuyBody({ cutoffAt, pickupDate: plusDays(lastDay, 1) }));
    expect(tooLate.status).toBe(400);
    expect(paths(tooLate)).toEqual(['pickupDate']);
    expect((await open(leader.token, groupBuyBody({ cutoffAt, pickupDate: lastDay }))).status).toBe(201);
  });

  test('refused group buys leave nothing behind', async () => {
    const fresh = await activeLeader(api);
    const groupBuysOf = async (leaderId: string) => {
      const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
      const { db, tableName } = await import('../../lib/store/dynamo');
      const { INDEX, keys } = await import('../../lib/store/keys');
      const gsi = keys.groupBuysByLeader(leaderId, '', '');
      const page = await db().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: INDEX.byGsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': gsi.gsi1pk },
        }),
      );
      return page.Items ?? [];
    };

    for (const extra of [
      { cutoffAt: hoursFromNow(-1) },
      { items: [{ productId: grapes().productId, stockLimit: 5 }, { productId: 'NO-SUCH-PRODUCT' }] },
      { items: [] },
    ]) {
      expect((await open(fresh.token, groupBuyBody(extra))).status).toBe(400);
    }
    expect(await groupBuysOf(fresh.leaderId)).toEqual([]);
    expect((await open(fresh.token, groupBuyBody())).status).toBe(201);
    expect(await groupBuysOf(fresh.leaderId)).toHaveLength(1);
  });

  test('opening is audited as groupBuy.opened by the leader', async () => {
    const res = await open(leader.token, groupBuyBody());
    const { auditTrail } = await import('../../lib/store/audit');
    const trail = await auditTrail(res.body.groupBuyId);
    expect(trail).toEqual([expect.objectContaining({ action: 'groupBuy.opened', actor: leader.userId, entityId: res.body.groupBuyId })]);
    expect(trail[0]!.after).toMatchObject({ groupBuyId: res.body.groupBuyId, leaderId: leader.leaderId, status: 'open' });
  });
});

describe('viewing a group buy', () => {
  test('anyone sees it without a token: the leader, the pickup point and the catalogue prices, live stock and limits', async () => {
    const cutoffAt = hoursFromNow(6);
    const pickupDate = shanghaiDate(hoursFromNow(30));
    const { groupBuyId } = await openGroupBuy(api, leader.token, {
      title: '周末鲜果团',
      cutoffAt,
      pickupDate,
      items: groupBuyBody().items,
    });

    const res = await api.call('GET', `/group-buys/${groupBuyId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      groupBuyId,
      status: 'open',
      title: '周末鲜果团',
      pickupDate,
      leader: { leaderId: leader.leaderId, pickupPoint },
      items: [
        {
          productId: grapes().productId,
          name: '阳光玫瑰葡萄',
          unit: '盒',
          groupPriceFen: 3290,
          stockLimit: 10,
          remaining: 10,
          perResidentLimit: 3,
        },
        { productId: eggs().productId, name: '土鸡蛋', unit: '30枚', groupPriceFen: 2590 },
      ],
    });
    expect(res.body.cutoffAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    expect(Date.parse(res.body.cutoffAt)).toBe(Date.parse(cutoffAt));

    const unlimited = res.body.items[1];
    expect(unlimited).not.toHaveProperty('stockLimit');
    expect(unlimited).not.toHaveProperty('remaining');
    expect(unlimited).not.toHaveProperty('perResidentLimit');
  });

  test('it never shows supply prices or commission rates, to anyone', async () => {
    const { groupBuyId, shareToken } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    for (const res of [
      await api.call('GET', `/group-buys/${groupBuyId}`),
      await api.call('GET', `/group-buys/${groupBuyId}`, { token: leader.token }),
      await api.call('GET', `/share/${shareToken}`),
    ]) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('supplyPriceFen');
      expect(res.text).not.toContain('commissionRateBps');
      expect(res.text).not.toContain('2500');
    }
  });

  test('an order lowers the remaining stock by the quantity ordered, directly and through the share link', async () => {
    const { groupBuyId, shareToken } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    const resident = await api.login(unique('u-resident'));

    const order = await placeOrder(api, resident, shareToken, [
      { productId: grapes().productId, quantity: 2 },
      { productId: eggs().productId, quantity: 5 },
    ]);
    expect(order.status).toBe(201);

    const direct = await api.call('GET', `/group-buys/${groupBuyId}`);
    expect(direct.body.items[0]).toMatchObject({ productId: grapes().productId, stockLimit: 10, remaining: 8 });
    expect(direct.body.items[1]).not.toHaveProperty('remaining');
    const shared = await api.call('GET', `/share/${shareToken}`);
    expect(shared.body.items[0].remaining).toBe(8);
  });

  test('an unknown group buy is 404 NOT_FOUND; a malformed id is 400', async () => {
    const res = await api.call('GET', '/group-buys/NO-SUCH-GROUP-BUY');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
    const bad = await api.call('GET', `/group-buys/${encodeURIComponent('bad id!')}`);
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(['groupBuyId']);
  });
});

describe('share links', () => {
  test('a genuine share token shows the same body as the group buy page, without a token', async () => {
    const { groupBuyId, shareToken } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    const shared = await api.call('GET', `/share/${shareToken}`);
    expect(shared.status).toBe(200);
    expect(shared.body).toEqual((await api.call('GET', `/group-buys/${groupBuyId}`)).body);
    expect(shared.body.leader.leaderId).toBe(leader.leaderId);
  });

  const expectInvalid = async (token: string) => {
    const res = await api.call('GET', `/share/${encodeURIComponent(token)}`);
    expect({ token, status: res.status, code: res.body?.error?.code }).toEqual({ token, status: 400, code: 'INVALID_SHARE_LINK' });
  };

  test('an altered signature, a swapped group buy id, or a random string is 400 INVALID_SHARE_LINK', async () => {
    const a = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    const b = await openGroupBuy(api, leader.token, { items: [{ productId: eggs().productId }] });
    const [gbA, leaderPart, exp, sig] = a.shareToken.split('.') as [string, string, string, string];
    const i = Math.floor(sig.length / 2);
    const alteredSig = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);

    await expectInvalid([gbA, leaderPart, exp, alteredSig].join('.'));
    await expectInvalid([b.groupBuyId, leaderPart, exp, sig].join('.'));
    await expectInvalid('not-a-share-token');
    await expectInvalid(`${a.shareToken}x`);
    await expectInvalid('a.b.c.d');
    // The genuine links still work.
    expect((await api.call('GET', `/share/${a.shareToken}`)).status).toBe(200);
    expect((await api.call('GET', `/share/${b.shareToken}`)).status).toBe(200);
  });

  test('another spelling of the same signature (its last character, whose low bits base64 ignores) is 400 INVALID_SHARE_LINK', async () => {
    // SPEC.md: an altered token is refused. 16 signature bytes are 22 base64url characters; the last
    // one carries 2 bits of signature and 4 unused bits, so 15 other characters decode to the same bytes.
    const { shareToken } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(shareToken.at(-1)!);
    const sameBytes = alphabet[(last & 0b110000) | ((last + 1) & 0b001111)]!;
    const altered = shareToken.slice(0, -1) + sameBytes;
    expect(altered).not.toBe(shareToken);
    await expectInvalid(altered);
  });

  test('an expired token is 400 INVALID_SHARE_LINK', async () => {
    const { groupBuyId } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    await expectInvalid(signShareToken(shareKey(), { groupBuyId, leaderId: leader.leaderId, expiresAt: new Date(Date.now() - 60_000) }));
  });

  test('a validly signed token for a group buy that does not exist is 400 INVALID_SHARE_LINK', async () => {
    await expectInvalid(
      signShareToken(shareKey(), {
        groupBuyId: 'NO-SUCH-GROUP-BUY',
        leaderId: leader.leaderId,
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    );
  });

  test('a validly signed token naming another leader for an existing group buy is 400 INVALID_SHARE_LINK', async () => {
    const { groupBuyId } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    const other = await activeLeader(api);
    await expectInvalid(signShareToken(shareKey(), { groupBuyId, leaderId: other.leaderId, expiresAt: new Date(Date.now() + 86_400_000) }));
  });

  test('a token signed with another key is 400 INVALID_SHARE_LINK', async () => {
    const { groupBuyId } = await openGroupBuy(api, leader.token, { items: groupBuyBody().items });
    await expectInvalid(
      signShareToken(shareLinkKey('not-the-auth-secret'), {
        groupBuyId,
        leaderId: leader.leaderId,
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    );
  });
});
