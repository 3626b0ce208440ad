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
import { httpFunction, route, type Routes } from '../../lib/runtime/http';

const deps = catalogueDeps();

export const routes: Routes = {
  'POST /suppliers': route({
    auth: 'user',
    body: CreateSupplierBodySchema,
    async handle({ principal, body }) {
      const supplier = await createSupplier(deps, principal, body);
      return { status: 201, body: supplier };
    },
  }),
  'POST /products': route({
    auth: 'user',
    body: CreateProductBodySchema,
    async handle({ principal, body }) {
      return { status: 201, body: productView(principal, await createProduct(deps, principal, body)) };
    },
  }),
  'PATCH /products/{productId}': route({
    auth: 'user',
    path: ProductIdPathSchema,
    body: UpdateProductBodySchema,
    async handle({ principal, path, body }) {
      return { body: productView(principal, await updateProduct(deps, principal, path.productId, body)) };
    },
  }),
  'GET /products': route({
    auth: 'user',
    query: ListProductsQuerySchema,
    async handle({ principal, query }) {
      return { body: { items: await listActiveProducts(deps, principal, query.supplierId) } };
    },
  }),
};

export const main = httpFunction(routes);
