// Suppliers and the product catalogue.
import * as z from 'zod';
import { BpsSchema, FenSchema, IdSchema, NameSchema, PhoneSchema, safeText } from './common';

export const CreateSupplierBodySchema = z.object({ name: NameSchema, contactPhone: PhoneSchema });

export const SupplierSchema = z.object({
  supplierId: z.string(),
  name: z.string(),
  contactPhone: z.string(),
  createdAt: z.string(),
});
export type Supplier = z.infer<typeof SupplierSchema>;

export const DEFAULT_COMMISSION_BPS = 1000;

export const CreateProductBodySchema = z
  .object({
    supplierId: IdSchema,
    name: NameSchema,
    unit: safeText(20),
    supplyPriceFen: FenSchema.min(1),
    groupPriceFen: FenSchema.min(1),
    commissionRateBps: BpsSchema.default(DEFAULT_COMMISSION_BPS),
  })
  // Selling at or below the supply price loses money on every unit.
  .refine((p) => p.groupPriceFen > p.supplyPriceFen, { path: ['groupPriceFen'], message: 'must exceed supplyPriceFen' });
export type CreateProductBody = z.infer<typeof CreateProductBodySchema>;

export const ListProductsQuerySchema = z.object({ supplierId: IdSchema.optional() });

export const ProductSchema = z.object({
  productId: z.string(),
  supplierId: z.string(),
  name: z.string(),
  unit: z.string(),
  supplyPriceFen: z.number().int(),
  groupPriceFen: z.number().int(),
  commissionRateBps: z.number().int(),
  status: z.enum(['active', 'inactive']),
  createdAt: z.string(),
});
export type Product = z.infer<typeof ProductSchema>;
