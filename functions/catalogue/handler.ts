// Suppliers and the product catalogue.
import {
  CreateProductBodySchema,
  CreateSupplierBodySchema,
  ListProductsQuerySchema,
  ProductIdPathSchema,
  UpdateProductBodySchema,
} from '../../schemas/catalogue';
import { createProduct, createSupplier, listActiveProducts, productView, updateProduct } from '../../lib/catalogue/catalogue';
import { catalogueDeps } from '../../lib/catalogue/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = catalogueDeps();

export const routes: Routes = {
  'POST /suppliers': route({
    auth: 'user',
    body: CreateSupplierBodySchema,
    status: 201,
    answer: ({ principal, body }) => createSupplier(deps, principal, body),
  }),
  'POST /products': route({
    auth: 'user',
    body: CreateProductBodySchema,
    status: 201,
    answer: async ({ principal, body }) => productView(principal, await createProduct(deps, principal, body)),
  }),
  'PATCH /products/{productId}': route({
    auth: 'user',
    path: ProductIdPathSchema,
    body: UpdateProductBodySchema,
    answer: async ({ principal, path, body }) => productView(principal, await updateProduct(deps, principal, path.productId, body)),
  }),
  'GET /products': route({
    auth: 'user',
    query: ListProductsQuerySchema,
    answer: async ({ principal, query }) => ({ items: await listActiveProducts(deps, principal, query.supplierId) }),
  }),
};

export const main = httpFunction(routes);
