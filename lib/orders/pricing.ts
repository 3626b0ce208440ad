// Pricing an order from the group buy's snapshot (the client never sends a price), the order's id (derived
// from the resident and the Idempotency-Key) and the request fingerprint that tells a repeated key with
// another body from a replay.
import { createHash } from 'node:crypto';
import type { GroupBuy } from '../../schemas/group-buys';
import type { AuditEvent } from '../../schemas/common';
import type { Order, OrderLine, PlaceOrderBody } from '../../schemas/orders';
import type { ErrorDetail } from '../runtime/errors';
import { AppError } from '../runtime/errors';
import type { Reservation } from './ports';

/**
 * A stable fingerprint of a request body: the same body in any key order or spacing hashes the same. 132 bits
 * (22 base64url characters, kept on every order): no two bodies anyone can find collide.
 */
export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('base64url')
    .slice(0, 22);
}

/** How every derived order id begins (orders placed before 2026-12-01 have ULIDs). */
export const DERIVED_ORDER_ID = 'o-';

/**
 * The id of the order a resident places with an Idempotency-Key: the same key always names the same order, so
 * the order's own `attribute_not_exists` is the idempotency guard (no record of its own). `o-` and 22
 * base64url characters (132 bits of SHA-256): an id IdSchema accepts and WeChat Pay takes as `out_trade_no`
 * (at most 32 characters), and one no ULID-shaped order id of earlier orders can equal.
 */
export function orderIdFor(userId: string, idempotencyKey: string): string {
  return `${DERIVED_ORDER_ID}${createHash('sha256').update(`order\n${userId}\n${idempotencyKey}`).digest('base64url').slice(0, 22)}`;
}

/**
 * The audit record of an order's placement, as the order says it: who placed it (the resident whose order it
 * is), when (its `createdAt`) and the state it was placed in (`newOrder`'s: unpaid, version 1, its total).
 * Every one of these is fixed once placed, and every later change of the order audits its state before, so a
 * store may keep the order item as this record (lib/store/orders.ts) and give it back in the trail.
 */
export function placementRecord(order: Pick<Order, 'orderId' | 'userId' | 'createdAt' | 'totalFen'>): AuditEvent {
  return {
    entityId: order.orderId,
    entityType: 'order',
    action: 'order.placed',
    actor: order.userId,
    at: order.createdAt,
    after: { status: 'pending_payment', version: 1, totalFen: order.totalFen },
  };
}

/** The error of a request that asks for more than is left (or allowed), each line named. */
export const outOfStock = (details: ErrorDetail[]) => new AppError('OUT_OF_STOCK', details.map((d) => d.message).join('; '), details);

/** Lines priced from the group buy's snapshot: the client never sends a price. */
export function priceLines(groupBuy: GroupBuy, body: PlaceOrderBody): { lines: OrderLine[]; reservations: Reservation[] } {
  const problems: ErrorDetail[] = [];
  const limits: ErrorDetail[] = [];
  const lines: OrderLine[] = [];
  const reservations: Reservation[] = [];
  body.items.forEach((requested, i) => {
    const item = groupBuy.items.find((g) => g.productId === requested.productId);
    if (!item) return void problems.push({ path: `items.${i}.productId`, message: 'not in this group buy' });
    if (item.stockLimit !== undefined && requested.quantity > item.stockLimit) {
      limits.push({ path: `items.${i}.quantity`, message: `more than the ${item.stockLimit} on offer` });
    }
    if (item.perResidentLimit !== undefined && requested.quantity > item.perResidentLimit) {
      limits.push({ path: `items.${i}.quantity`, message: `more than the limit of ${item.perResidentLimit} per resident` });
    }
    lines.push({
      productId: item.productId,
      supplierId: item.supplierId,
      name: item.name,
      unit: item.unit,
      quantity: requested.quantity,
      unitPriceFen: item.groupPriceFen,
      amountFen: item.groupPriceFen * requested.quantity,
      supplyPriceFen: item.supplyPriceFen,
      commissionRateBps: item.commissionRateBps,
      refundedFen: 0,
      stockLimited: item.stockLimit !== undefined,
      residentLimited: item.perResidentLimit !== undefined,
    });
    reservations.push({
      productId: item.productId,
      quantity: requested.quantity,
      stockLimited: item.stockLimit !== undefined,
      ...(item.perResidentLimit !== undefined ? { perResidentLimit: item.perResidentLimit } : {}),
    });
  });
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  if (limits.length) throw outOfStock(limits);
  return { lines, reservations };
}

/**
 * An order as placing writes it, priced from the group buy's snapshot: pending payment, version 1. The
 * caller adds what only placing knows (the request's fingerprint, the pickup place it holds).
 */
export function newOrder(
  groupBuy: GroupBuy,
  body: PlaceOrderBody,
  order: { orderId: string; userId: string; leaderId: string; at: string; expiresAt: string },
): { order: Order; reservations: Reservation[] } {
  const { lines, reservations } = priceLines(groupBuy, body);
  return {
    reservations,
    order: {
      orderId: order.orderId,
      userId: order.userId,
      groupBuyId: groupBuy.groupBuyId,
      leaderId: order.leaderId,
      pickupDate: groupBuy.pickupDate,
      cutoffAt: groupBuy.cutoffAt,
      status: 'pending_payment',
      items: lines,
      totalFen: lines.reduce((sum, l) => sum + l.amountFen, 0),
      refundedFen: 0,
      contactName: body.contactName,
      contactPhone: body.contactPhone,
      ...(body.note ? { note: body.note } : {}),
      createdAt: order.at,
      updatedAt: order.at,
      expiresAt: order.expiresAt,
      version: 1,
    },
  };
}
