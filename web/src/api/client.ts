// The one API client of the pages. Every request and response type comes from the zod schemas in
// schemas/ (z.input for what we send, the views for what we get), so a contract change breaks the build.
import type { z } from 'zod';
import type { ApplyLeaderBodySchema } from '@schemas/leaders';
import type { CreateProductBodySchema, CreateSupplierBodySchema } from '@schemas/catalogue';
import type { CreateGroupBuyBodySchema } from '@schemas/group-buys';
import type { PlaceOrderBodySchema, RefundBodySchema } from '@schemas/orders';
import type { ArrivalBodySchema, NotificationSettings } from '@schemas/notifications';
import type {
  AuditTrail,
  CommissionsView,
  ErrorBody,
  GroupBuyView,
  LeaderView,
  OpenedGroupBuy,
  OrderView,
  PayoutView,
  PickupSheet,
  PlacedOrder,
  ProductView,
  PurchaseOrderView,
  Reconciliation,
  ShortfallView,
  ReviewsView,
  CustomersView,
  StatsView,
} from '@schemas/views';
import type { ReviewBodySchema } from '@schemas/customers';
import type { ReportShortfallBodySchema } from '@schemas/shortfalls';
import { session } from './session';

export type PlaceOrderBody = z.input<typeof PlaceOrderBodySchema>;
export type ApplyLeaderBody = z.input<typeof ApplyLeaderBodySchema>;
export type CreateGroupBuyBody = z.input<typeof CreateGroupBuyBodySchema>;
export type CreateProductBody = z.input<typeof CreateProductBodySchema>;
export type CreateSupplierBody = z.input<typeof CreateSupplierBodySchema>;
export type RefundBody = z.input<typeof RefundBodySchema>;
export type ArrivalBody = z.input<typeof ArrivalBodySchema>;
/** The settings, and whether WeChat messages can reach this person at all (they signed in with WeChat). */
export type NotificationSettingsView = NotificationSettings & { wechatBound: boolean };
export type ReviewBody = z.input<typeof ReviewBodySchema>;
export type ReportShortfallBody = z.input<typeof ReportShortfallBodySchema>;
export type { CustomersView, StatsView, ReviewsView };
export type { GroupBuyView, OrderView, LeaderView, PurchaseOrderView, PayoutView, CommissionsView, PickupSheet, ProductView };

/** An answer other than 2xx, with API.md's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the signed-in user's token (default true). */
  auth?: boolean;
  accept?: string;
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const token = options.auth === false ? undefined : session.accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let res = await send(method, path, options);
  // An expired access token: one refresh, one retry.
  if (res.status === 401 && options.auth !== false && (await session.refresh())) res = await send(method, path, options);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const parsed: unknown = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (!res.ok) {
    const error = (parsed as Partial<ErrorBody>)?.error;
    if (res.status === 401 && options.auth !== false) session.clear();
    throw new ApiError(res.status, error?.code ?? `HTTP_${res.status}`, error?.message ?? text, error?.details);
  }
  return parsed as T;
}

const enc = encodeURIComponent;

export const api = {
  // Residents
  shareView: (shareToken: string) => request<GroupBuyView>('GET', `/share/${enc(shareToken)}`, { auth: false }),
  groupBuy: (groupBuyId: string) => request<GroupBuyView>('GET', `/group-buys/${enc(groupBuyId)}`, { auth: false }),
  reviews: (groupBuyId: string) => request<ReviewsView>('GET', `/group-buys/${enc(groupBuyId)}/reviews`, { auth: false }),
  placeOrder: (body: PlaceOrderBody, idempotencyKey: string) =>
    request<PlacedOrder>('POST', '/orders', { body, headers: { 'Idempotency-Key': idempotencyKey } }),
  order: (orderId: string) => request<OrderView>('GET', `/orders/${enc(orderId)}`),
  myOrders: () => request<{ items: OrderView[] }>('GET', '/me/orders'),
  cancelOrder: (orderId: string) => request<{ status: string }>('POST', `/orders/${enc(orderId)}/cancel`),
  requestRefund: (orderId: string, body: RefundBody) =>
    request<{ refundId: string; amountFen: number }>('POST', `/orders/${enc(orderId)}/refunds`, { body }),
  reviewOrder: (orderId: string, body: ReviewBody) => request<{ reviewId: string }>('POST', `/orders/${enc(orderId)}/reviews`, { body }),

  // Leaders
  myLeaderRecord: () => request<LeaderView>('GET', '/leaders/me'),
  applyAsLeader: (body: ApplyLeaderBody) =>
    request<{ leaderId: string; status: string; referralCode: string }>('POST', '/leaders', { body }),
  products: (supplierId?: string) =>
    request<{ items: ProductView[] }>('GET', `/products${supplierId ? `?supplierId=${enc(supplierId)}` : ''}`),
  openGroupBuy: (body: CreateGroupBuyBody) => request<OpenedGroupBuy>('POST', '/group-buys', { body }),
  shareText: (groupBuyId: string) => request<{ text: string }>('GET', `/group-buys/${enc(groupBuyId)}/share-text`),
  pickupSheet: (leaderId: string, date: string) => request<PickupSheet>('GET', `/pickup-points/${enc(leaderId)}/sheet?date=${enc(date)}`),
  confirmPickup: (pickupCode: string, date?: string) =>
    request<{ orderId: string; status: string }>('POST', '/pickups', { body: { pickupCode, ...(date ? { date } : {}) } }),
  myCommissions: () => request<CommissionsView>('GET', '/leaders/me/commissions'),
  confirmArrival: (body: ArrivalBody) => request<{ date: string; notified: number }>('POST', '/pickup-points/me/arrivals', { body }),
  myCustomers: (cursor?: string) => request<CustomersView>('GET', `/leaders/me/customers${cursor ? `?cursor=${enc(cursor)}` : ''}`),
  myStats: (days: number) => request<StatsView>('GET', `/leaders/me/stats?days=${days}`),

  // Everyone signed in
  notificationSettings: () => request<NotificationSettingsView>('GET', '/me/notification-settings'),
  saveNotificationSettings: (body: NotificationSettings) => request<NotificationSettingsView>('PUT', '/me/notification-settings', { body }),

  // Suppliers
  purchaseOrders: (date: string) => request<{ items: PurchaseOrderView[] }>('GET', `/purchase-orders?date=${enc(date)}`),
  purchaseOrderCsv: (purchaseOrderId: string) => request<string>('GET', `/purchase-orders/${enc(purchaseOrderId)}`, { accept: 'text/csv' }),
  acknowledgePurchaseOrder: (id: string) => request<PurchaseOrderView>('POST', `/purchase-orders/${enc(id)}/acknowledge`),
  shipPurchaseOrder: (id: string) => request<PurchaseOrderView>('POST', `/purchase-orders/${enc(id)}/ship`),
  reportShortfall: (id: string, body: ReportShortfallBody) =>
    request<ShortfallView>('POST', `/purchase-orders/${enc(id)}/shortfalls`, { body }),

  // Operators
  leaders: (status: LeaderView['status']) => request<{ items: LeaderView[] }>('GET', `/leaders?status=${status}`),
  reviewLeader: (leaderId: string, action: 'approve' | 'reject' | 'suspend', reason?: string) =>
    request<{ leaderId: string; status: string }>('POST', `/leaders/${enc(leaderId)}/${action}`, reason ? { body: { reason } } : {}),
  createSupplier: (body: CreateSupplierBody) => request<{ supplierId: string }>('POST', '/suppliers', { body }),
  createProduct: (body: CreateProductBody) => request<ProductView>('POST', '/products', { body }),
  runCutoff: () => request<{ closed: number; failed: number; ordersCancelled: number }>('POST', '/jobs/cutoff'),
  runPayouts: () => request<{ proposed: number; held?: number }>('POST', '/jobs/payouts'),
  payouts: (status: string) => request<{ items: PayoutView[] }>('GET', `/payouts?status=${enc(status)}`),
  approvePayout: (payoutId: string) => request<PayoutView>('POST', `/payouts/${enc(payoutId)}/approve`),
  rejectPayout: (payoutId: string, reason: string) => request<PayoutView>('POST', `/payouts/${enc(payoutId)}/reject`, { body: { reason } }),
  releasePayout: (payoutId: string, reason: string) =>
    request<PayoutView>('POST', `/payouts/${enc(payoutId)}/release`, { body: { reason } }),
  setPickupCapacity: (dailyOrderCapacity: number | null) =>
    request<LeaderView>('PATCH', '/leaders/me', { body: { pickupPoint: { dailyOrderCapacity } } }),
  leaderCommissions: (leaderId: string) => request<CommissionsView>('GET', `/leaders/${enc(leaderId)}/commissions`),
  reconciliation: (leaderId: string) => request<Reconciliation>('GET', `/audit/reconciliation?leaderId=${enc(leaderId)}`),
  auditEvents: (entityId: string) => request<AuditTrail>('GET', `/audit/events?entityId=${enc(entityId)}`),
};

/** A message a person can act on, in Chinese, for an API error. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return '网络不太好，请稍后再试';
  switch (err.code) {
    case 'INVALID_SHARE_LINK':
      return '这个团购链接无效或已过期，请向团长要一个新链接';
    case 'GROUP_BUY_CLOSED':
      return '本团已截单，下次早点来哦';
    case 'OUT_OF_STOCK':
      return '库存不足或超过每人限购，请减少数量';
    case 'UNAUTHENTICATED':
      return '请先登录';
    case 'FORBIDDEN':
      return '没有权限进行这个操作';
    case 'NOT_FOUND':
      return '没有找到相关内容';
    case 'CONFLICT':
      return `操作未完成：${err.message}`;
    case 'VALIDATION_FAILED':
      return `请检查填写的内容：${err.details.map((d) => d.path).join('、') || err.message}`;
    case 'RATE_LIMITED':
      return '操作太频繁，请稍后再试';
    default:
      return '服务暂时不可用，请稍后再试';
  }
}
