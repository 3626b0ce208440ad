// Suppliers and the product catalogue.
import * as z from 'zod';
import { BpsSchema, FenSchema, IdSchema, NameSchema, PhoneSchema, safeText, VersionSchema } from './common';

export const CreateSupplierBodySchema = z.object({ name: NameSchema, contactPhone: PhoneSchema });

export const SupplierSchema = z.object({
  supplierId: z.string(),
  name: z.string(),
  contactPhone: z.string(),
  createdAt: z.string(),
});
export type Supplier = z.infer<typeof SupplierSchema>;

export const DEFAULT_COMMISSION_BPS = 1000;
/** The most units a supplier ships in one case (a pallet of eggs is far below it). */
export const MAX_CASE_SIZE = 10_000;
/** How many units the supplier ships per case: purchase orders round each product up to whole cases. */
export const CaseSizeSchema = z.number().int().min(1).max(MAX_CASE_SIZE);

/** No sale below cost (九不得): the group price must exceed the supply price. */
export const priceGuard = (p: { groupPriceFen: number; supplyPriceFen: number }) => p.groupPriceFen > p.supplyPriceFen;
export const PRICE_GUARD_MESSAGE = 'must exceed supplyPriceFen';

export const CreateProductBodySchema = z
  .object({
    supplierId: IdSchema,
    name: NameSchema,
    unit: safeText(20),
    supplyPriceFen: FenSchema.min(1),
    groupPriceFen: FenSchema.min(1),
    commissionRateBps: BpsSchema.default(DEFAULT_COMMISSION_BPS),
    caseSize: CaseSizeSchema.default(1),
  })
  // Selling at or below the supply price loses money on every unit.
  .refine(priceGuard, { path: ['groupPriceFen'], message: PRICE_GUARD_MESSAGE });
export type CreateProductBody = z.infer<typeof CreateProductBodySchema>;

/**
 * `PATCH /products/{productId}`: a new price or case size (an addition to API.md: without it the catalogue
 * price never changes, and no 划线价 could ever be backed by a real earlier sale). Group buys already open
 * keep the prices they snapshot. The price guard is checked on the product as it would become.
 */
export const UpdateProductBodySchema = z
  .strictObject({
    supplyPriceFen: FenSchema.min(1).optional(),
    groupPriceFen: FenSchema.min(1).optional(),
    caseSize: CaseSizeSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'name at least one of supplyPriceFen, groupPriceFen, caseSize' });
export type UpdateProductBody = z.infer<typeof UpdateProductBodySchema>;
export const ProductIdPathSchema = z.object({ productId: IdSchema });

export const ListProductsQuerySchema = z.object({ supplierId: IdSchema.optional() });

export const ProductSchema = z.object({
  productId: z.string(),
  supplierId: z.string(),
  name: z.string(),
  unit: z.string(),
  supplyPriceFen: z.number().int(),
  groupPriceFen: z.number().int(),
  commissionRateBps: z.number().int(),
  /** Units per case (products listed before cases existed ship by the unit). */
  caseSize: z.number().int().min(1).default(1),
  status: z.enum(['active', 'inactive']),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
  version: VersionSchema,
});
export type Product = z.infer<typeof ProductSchema>;
