// Builders of the state most tests start from, made through the public API like a user would.
import type { TestStack } from './stack';
import { businessDate } from '../../lib/runtime/time';

export const pickupPoint = { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区', city: '上海' };

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export async function operatorToken(api: TestStack) {
  return api.login('op-fixture', ['operator']);
}

/** A user with an approved leader record. */
export async function activeLeader(api: TestStack, userId = unique('leader')) {
  const token = await api.login(userId);
  const applied = await api.call('POST', '/leaders', { token, body: { name: '李团长', phone: '13900001111', pickupPoint } });
  if (applied.status !== 201) throw new Error(`apply failed: ${applied.text}`);
  const approved = await api.call('POST', `/leaders/${applied.body.leaderId}/approve`, { token: await operatorToken(api) });
  if (approved.status !== 200) throw new Error(`approve failed: ${approved.text}`);
  return { userId, token, leaderId: applied.body.leaderId as string, referralCode: applied.body.referralCode as string };
}

export interface ProductSpec {
  name?: string;
  unit?: string;
  supplyPriceFen?: number;
  groupPriceFen?: number;
  commissionRateBps?: number;
  /** Units per case (the catalogue's default, 1, when not given). */
  caseSize?: number;
}

/** A supplier with products (default: one product at 8.00 supply, 10.00 group price). */
export async function supplierWithProducts(api: TestStack, specs: ProductSpec[] = [{}]) {
  const operator = await operatorToken(api);
  const supplier = await api.call('POST', '/suppliers', {
    token: operator,
    body: { name: unique('鲜果供应商'), contactPhone: '13700002222' },
  });
  if (supplier.status !== 201) throw new Error(`supplier failed: ${supplier.text}`);
  const supplierId = supplier.body.supplierId as string;
  const products = [];
  for (const [i, spec] of specs.entries()) {
    const res = await api.call('POST', '/products', {
      token: operator,
      body: {
        supplierId,
        name: spec.name ?? `商品${i}`,
        unit: spec.unit ?? '份',
        supplyPriceFen: spec.supplyPriceFen ?? 800,
        groupPriceFen: spec.groupPriceFen ?? 1000,
        ...(spec.commissionRateBps !== undefined ? { commissionRateBps: spec.commissionRateBps } : {}),
        ...(spec.caseSize !== undefined ? { caseSize: spec.caseSize } : {}),
      },
    });
    if (res.status !== 201) throw new Error(`product failed: ${res.text}`);
    products.push(
      res.body as { productId: string; groupPriceFen: number; supplyPriceFen: number; commissionRateBps: number; name: string },
    );
  }
  return { supplierId, products };
}

export const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
/** The Asia/Shanghai business date of an ISO instant. */
export const shanghaiDate = (iso: string) => businessDate(new Date(iso));
/** The Asia/Shanghai business date `days` days from now (1: tomorrow's, -3: three days ago's). */
export const dateIn = (days: number) => shanghaiDate(new Date(Date.now() + days * 86_400_000).toISOString());

export interface GroupBuySpec {
  items: { productId: string; stockLimit?: number; perResidentLimit?: number }[];
  cutoffAt?: string;
  pickupDate?: string;
  minTotalQuantity?: number;
  title?: string;
}

export async function openGroupBuy(api: TestStack, leaderToken: string, spec: GroupBuySpec) {
  const cutoffAt = spec.cutoffAt ?? hoursFromNow(6);
  const res = await api.call('POST', '/group-buys', {
    token: leaderToken,
    body: {
      title: spec.title ?? '今日鲜果团',
      cutoffAt,
      pickupDate: spec.pickupDate ?? shanghaiDate(hoursFromNow(30)),
      items: spec.items,
      ...(spec.minTotalQuantity ? { minTotalQuantity: spec.minTotalQuantity } : {}),
    },
  });
  if (res.status !== 201) throw new Error(`group buy failed: ${res.text}`);
  return res.body as { groupBuyId: string; shareToken: string; shareUrl: string; status: string; pickupDate: string };
}

/** A resident places an order through a share link. */
export async function placeOrder(
  api: TestStack,
  token: string,
  shareToken: string,
  items: { productId: string; quantity: number }[],
  key = unique('idem-key'),
) {
  return api.call('POST', '/orders', {
    token,
    headers: { 'Idempotency-Key': key },
    body: { shareToken, items, contactName: '张三', contactPhone: '13812341234' },
  });
}

/** Drives one order of a group buy from payment to pickup, as the platform would. */
export async function pickedUpOrder(
  api: TestStack,
  options: {
    leader: { token: string; leaderId: string };
    shareToken: string;
    items: { productId: string; quantity: number }[];
    operator: string;
    pickupDate: string;
  },
) {
  const resident = await api.login(unique('resident'));
  const placed = await placeOrder(api, resident, options.shareToken, options.items);
  if (placed.status !== 201) throw new Error(`order failed: ${placed.text}`);
  await api.call('POST', `/dev/pay/${placed.body.orderId}`);
  return { resident, orderId: placed.body.orderId as string, totalFen: placed.body.totalFen as number };
}
