// What the bench sections seed through the real handlers before they measure: sign-ins (the dev login), an
// approved leader with a pickup point, a supplier's products. One copy for every section.
import type { HttpMain } from './harness';
import { expectStatus, invokeHttp } from './harness';

export interface SeedHandlers {
  devMain: HttpMain;
  leadersMain: HttpMain;
  catalogueMain: HttpMain;
  groupBuysMain: HttpMain;
}

/** The handlers seeding goes through; imported only when asked (they read their configuration at load). */
export async function seedHandlers(): Promise<SeedHandlers> {
  return {
    devMain: ((await import('../functions/dev/handler')) as { main: HttpMain }).main,
    leadersMain: ((await import('../functions/leaders/handler')) as { main: HttpMain }).main,
    catalogueMain: ((await import('../functions/catalogue/handler')) as { main: HttpMain }).main,
    groupBuysMain: ((await import('../functions/group-buys/handler')) as { main: HttpMain }).main,
  };
}

/** A bearer token of `userId` with `roles`, from the dev login. */
export async function login(h: SeedHandlers, userId: string, roles: string[] = []): Promise<string> {
  return expectStatus('login', await invokeHttp(h.devMain, 'POST /dev/login', '/dev/login', { body: { userId, roles } }), 200)
    .token as string;
}

/** `userId` applies as a leader (a pickup point of its own) and `operator` approves: its token and leader id. */
export async function approvedLeader(h: SeedHandlers, operator: string, userId: string): Promise<{ token: string; leaderId: string }> {
  const token = await login(h, userId);
  const applied = expectStatus(
    'apply as leader',
    await invokeHttp(h.leadersMain, 'POST /leaders', '/leaders', {
      token,
      body: {
        name: '李团长',
        phone: '13900001111',
        pickupPoint: { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区', city: '上海' },
      },
    }),
    201,
  );
  const leaderId = applied.leaderId as string;
  expectStatus(
    'approve leader',
    await invokeHttp(h.leadersMain, 'POST /leaders/{leaderId}/approve', `/leaders/${leaderId}/approve`, {
      token: operator,
      params: { leaderId },
    }),
    200,
  );
  return { token, leaderId };
}

export interface ProductSpec {
  name: string;
  unit: string;
  supplyPriceFen: number;
  groupPriceFen: number;
}

/** Two fruits of the bench's usual basket. */
export const FRUITS: ProductSpec[] = [
  { name: '阳山水蜜桃', unit: '盒', supplyPriceFen: 800, groupPriceFen: 1000 },
  { name: '赣南脐橙', unit: '袋', supplyPriceFen: 1200, groupPriceFen: 1590 },
];

/** A supplier named `name` and its `products`, made by `operator`: their ids. */
export async function supplierWithProducts(h: SeedHandlers, operator: string, name: string, products: ProductSpec[]) {
  const supplier = expectStatus(
    'supplier',
    await invokeHttp(h.catalogueMain, 'POST /suppliers', '/suppliers', { token: operator, body: { name, contactPhone: '13700002222' } }),
    201,
  );
  const productIds: string[] = [];
  for (const p of products) {
    const product = expectStatus(
      'product',
      await invokeHttp(h.catalogueMain, 'POST /products', '/products', {
        token: operator,
        body: { supplierId: supplier.supplierId, ...p },
      }),
      201,
    );
    productIds.push(product.productId as string);
  }
  return { supplierId: supplier.supplierId as string, productIds };
}

/** A group buy the leader opens (`今日鲜果团`) with `items`, its cutoff and pickup date as given: its id and share token. */
export async function openGroupBuy(
  h: SeedHandlers,
  leaderToken: string,
  spec: { cutoffAt: string; pickupDate: string; items: Record<string, unknown>[] },
): Promise<{ groupBuyId: string; shareToken: string }> {
  const opened = expectStatus(
    'group buy',
    await invokeHttp(h.groupBuysMain, 'POST /group-buys', '/group-buys', { token: leaderToken, body: { title: '今日鲜果团', ...spec } }),
    201,
  );
  return { groupBuyId: opened.groupBuyId as string, shareToken: opened.shareToken as string };
}
