import { z } from 'zod';
import { ROLES } from '../lib/runtime/auth';
import { IdSchema } from './common';

export const DevLoginBodySchema = z
  .object({
    userId: IdSchema,
    roles: z.array(z.enum(ROLES)).max(2).default([]),
    supplierId: IdSchema.optional(),
  })
  .refine((b) => !b.supplierId || b.roles.includes('supplier'), { path: ['supplierId'], message: 'only with the supplier role' })
  .refine((b) => !b.roles.includes('supplier') || b.supplierId, { path: ['supplierId'], message: 'required with the supplier role' });
