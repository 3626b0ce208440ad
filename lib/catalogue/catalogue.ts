// The catalogue: operators add suppliers; operators or the supplier itself add products.
import type { AuditEvent } from '../../schemas/common';
import type { CreateProductBody, Product, Supplier } from '../../schemas/catalogue';
import { isOperator, requireOperator, type Principal } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { forbidden, validationError } from '../runtime/errors';

export interface CatalogueStore {
  getSupplier(supplierId: string): Promise<Supplier | undefined>;
  putSupplier(supplier: Supplier, audit: AuditEvent): Promise<void>;
  putProduct(product: Product, audit: AuditEvent): Promise<void>;
  getProducts(productIds: string[]): Promise<Map<string, Product>>;
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
  const product: Product = { productId: deps.ids.next(), ...body, status: 'active', createdAt: at };
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

/** Supply prices are the supplier's business: only operators and that supplier see them. */
export function productView(principal: Principal, p: Product) {
  const { supplyPriceFen, ...rest } = p;
  return canManageSupplier(principal, p.supplierId) ? { ...rest, supplyPriceFen } : rest;
}
