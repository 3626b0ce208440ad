// The catalogue: operators add suppliers; operators or the supplier itself add products.
import type { AuditEvent } from '../../schemas/common';
import type { CreateProductBody, Product, Supplier, UpdateProductBody } from '../../schemas/catalogue';
import { PRICE_GUARD_MESSAGE, priceGuard } from '../../schemas/catalogue';
import type { Principal } from '../runtime/auth';
import { isOperator, requireOperator } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { conflict, forbidden, notFound, validationError } from '../runtime/errors';

export interface CatalogueStore {
  getSupplier(supplierId: string): Promise<Supplier | undefined>;
  putSupplier(supplier: Supplier, audit: AuditEvent): Promise<void>;
  putProduct(product: Product, audit: AuditEvent): Promise<void>;
  /** Replaces the product with `after` (at the next version) if it is still at `before`'s version. */
  updateProduct(before: Product, after: Product, audit: AuditEvent): Promise<'updated' | 'stale'>;
  getProducts(productIds: string[]): Promise<Map<string, Product>>;
  /** One product, strongly consistent (a change is decided on it). */
  getProduct(productId: string): Promise<Product | undefined>;
  listProducts(supplierId?: string): Promise<Product[]>;
}

export interface CatalogueDeps {
  catalogue: CatalogueStore;
  clock: Clock;
  ids: Ids;
}

/** Operators, and a supplier for its own products. */
export const canManageSupplier = (p: Principal, supplierId: string) =>
  isOperator(p) || (p.roles.includes('supplier') && p.supplierId === supplierId);

export async function createSupplier(deps: CatalogueDeps, principal: Principal, body: { name: string; contactPhone: string }) {
  requireOperator(principal);
  const at = deps.clock.now().toISOString();
  const supplier: Supplier = { supplierId: deps.ids.next(), name: body.name, contactPhone: body.contactPhone, createdAt: at };
  await deps.catalogue.putSupplier(supplier, {
    entityId: supplier.supplierId,
    entityType: 'supplier',
    action: 'supplier.created',
    actor: principal.userId,
    at,
    after: supplier,
  });
  return supplier;
}

export async function createProduct(deps: CatalogueDeps, principal: Principal, body: CreateProductBody): Promise<Product> {
  if (!canManageSupplier(principal, body.supplierId)) throw forbidden('Only operators or that supplier may add its products');
  if (!(await deps.catalogue.getSupplier(body.supplierId))) throw validationError('supplierId', 'unknown supplier');
  const at = deps.clock.now().toISOString();
  const product: Product = { productId: deps.ids.next(), ...body, status: 'active', createdAt: at, version: 1 };
  await deps.catalogue.putProduct(product, {
    entityId: product.productId,
    entityType: 'product',
    action: 'product.created',
    actor: principal.userId,
    at,
    after: product,
  });
  return product;
}

/**
 * A new price or case size, by an operator or the product's supplier. Group buys already open keep the
 * prices they snapshot; the next ones take the new price (and, if it is lower than what residents paid in
 * the last 7 days, show that as their 划线价). The price guard holds on the product as it becomes.
 */
export async function updateProduct(
  deps: CatalogueDeps,
  principal: Principal,
  productId: string,
  body: UpdateProductBody,
): Promise<Product> {
  const before = await deps.catalogue.getProduct(productId);
  if (!before) throw notFound('Product');
  if (!canManageSupplier(principal, before.supplierId)) throw forbidden('Only operators or that supplier may change its products');
  const after: Product = { ...before, ...body, updatedAt: deps.clock.now().toISOString() };
  if (!priceGuard(after)) {
    // Name the field the caller sent: a new group price below cost, or a supply price raised above it.
    if (body.groupPriceFen !== undefined) throw validationError('groupPriceFen', PRICE_GUARD_MESSAGE);
    throw validationError('supplyPriceFen', 'must be below groupPriceFen');
  }
  const outcome = await deps.catalogue.updateProduct(before, after, {
    entityId: productId,
    entityType: 'product',
    action: 'product.updated',
    actor: principal.userId,
    at: after.updatedAt!,
    before,
    after,
  });
  if (outcome === 'stale') throw conflict('The product was changed meanwhile; reload and try again');
  return { ...after, version: before.version + 1 };
}

/** Supply prices are the supplier's business: only operators and that supplier see them. */
/** The products on sale (of one supplier, or all), as the principal may see them. */
export async function listActiveProducts(deps: CatalogueDeps, principal: Principal, supplierId: string | undefined) {
  const products = await deps.catalogue.listProducts(supplierId);
  return products.filter((p) => p.status === 'active').map((p) => productView(principal, p));
}

export function productView(principal: Principal, p: Product) {
  const { supplyPriceFen, version: _version, ...rest } = p;
  return canManageSupplier(principal, p.supplierId) ? { ...rest, supplyPriceFen } : rest;
}
