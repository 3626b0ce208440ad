// DynamoDB adapter of the CatalogueStore port.
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogueStore } from '../catalogue/catalogue';
import type { Product } from '../../schemas/catalogue';
import { ProductSchema, SupplierSchema } from '../../schemas/catalogue';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, partitionOf, putAtVersion, putIfNew, queryAll, readItem, tableName, transactWrite } from './dynamo';
import { INDEX, keys } from './keys';

const productItem = (product: Product) => ({
  ...keys.product(product.productId),
  ...keys.productsBySupplier(product.supplierId, product.createdAt, product.productId),
  ...keys.allProducts(product.name, product.productId),
  type: 'PRODUCT',
  ...product,
});

export function dynamoCatalogueStore(client: Db = db()): CatalogueStore {
  const byIndex = async (...partition: Parameters<typeof partitionOf>) =>
    (await queryAll(client, partitionOf(...partition))).map((i) => ProductSchema.parse(i));

  return {
    async getSupplier(supplierId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.supplier(supplierId) }));
      return Item ? SupplierSchema.parse(Item) : undefined;
    },
    async putSupplier(supplier, audit) {
      await transactWrite(client, [putIfNew({ ...keys.supplier(supplier.supplierId), type: 'SUPPLIER', ...supplier }), auditPut(audit)]);
    },
    async putProduct(product, audit) {
      await transactWrite(client, [putIfNew(productItem(product)), auditPut(audit)]);
    },
    async updateProduct(before, after, audit) {
      const item = productItem({ ...after, version: before.version + 1 });
      const failed = await guardedWrite(client, [putAtVersion(item, before.version), auditPut(audit)], ['stale']);
      return failed ?? 'updated';
    },
    async getProduct(productId) {
      return readItem(client, keys.product(productId), (i) => ProductSchema.parse(i));
    },
    async getProducts(productIds) {
      const found = new Map<string, Product>();
      const unique = [...new Set(productIds)];
      for (let i = 0; i < unique.length; i += 100) {
        let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
          [tableName()]: { Keys: unique.slice(i, i + 100).map((id) => keys.product(id)) },
        };
        while (request && Object.keys(request).length) {
          const res = await client.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of res.Responses?.[tableName()] ?? []) {
            const product = ProductSchema.parse(item);
            found.set(product.productId, product);
          }
          request = res.UnprocessedKeys as typeof request;
        }
      }
      return found;
    },
    listProducts(supplierId) {
      return supplierId
        ? byIndex(keys.productsBySupplierPartition(supplierId), INDEX.byGsi1)
        : byIndex(keys.allProductsPartition, INDEX.byGsi2);
    },
  };
}
