// DynamoDB adapter of the CatalogueStore port.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogueStore } from '../catalogue/catalogue';
import type { Product } from '../../schemas/catalogue';
import { ProductSchema, SupplierSchema } from '../../schemas/catalogue';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, partitionOf, putAtVersion, putIfNew, queryAll, readByKeys, readItem, tableName, transactWrite } from './dynamo';
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
      const unique = [...new Set(productIds)];
      const products = await readByKeys(client, unique.map(keys.product), (i) => ProductSchema.parse(i));
      return new Map(products.map((p): [string, Product] => [p.productId, p]));
    },
    listProducts(supplierId) {
      return supplierId
        ? byIndex(keys.productsBySupplierPartition(supplierId), INDEX.byGsi1)
        : byIndex(keys.allProductsPartition, INDEX.byGsi2);
    },
  };
}
