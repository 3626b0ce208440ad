// Suppliers and the product catalogue.
import {
  CreateProductBodySchema,
  CreateSupplierBodySchema,
  ListProductsQuerySchema,
  ProductIdPathSchema,
  UpdateProductBodySchema,
} from '../../schemas/catalogue';
import { createProduct, createSupplier, productView, updateProduct, type CatalogueDeps } from '../../lib/catalogue/catalogue';
import { randomIds, systemClock } from '../../lib/runtime/clock';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';
import { dynamoCatalogueStore } from '../../lib/store/catalogue';

const deps: CatalogueDeps = { catalogue: dynamoCatalogueStore(), clock: systemClock, ids: randomIds };

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
      const products = await deps.catalogue.listProducts(query.supplierId);
      return { body: { items: products.filter((p) => p.status === 'active').map((p) => productView(principal, p)) } };
    },
  }),
};

export const main = httpFunction(routes);
