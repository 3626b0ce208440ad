// DynamoDB adapter of the CatalogueStore port.
import { BatchGetCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CatalogueStore } from '../catalogue/catalogue';
import { ProductSchema, SupplierSchema, type Product } from '../../schemas/catalogue';
import { auditPut } from './audit';
import { atVersion, cancellationReasons, db, queryAll, tableName, transactWrite, type Db } from './dynamo';
import { INDEX, keys } from './keys';

const productItem = (product: Product) => ({
  ...keys.product(product.productId),
  ...keys.productsBySupplier(product.supplierId, product.createdAt, product.productId),
  ...keys.allProducts(product.name, product.productId),
  type: 'PRODUCT',
  ...product,
});

export function dynamoCatalogueStore(client: Db = db()): CatalogueStore {
  const byIndex = async (index: string, keyName: string, value: string) =>
    (
      await queryAll(client, {
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: `${keyName} = :v`,
        ExpressionAttributeValues: { ':v': value },
      })
    ).map((i) => ProductSchema.parse(i));

  return {
    async getSupplier(supplierId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.supplier(supplierId) }));
      return Item ? SupplierSchema.parse(Item) : undefined;
    },
    async putSupplier(supplier, audit) {
      await transactWrite(client, [
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.supplier(supplier.supplierId), type: 'SUPPLIER', ...supplier },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        auditPut(audit),
      ]);
    },
    async putProduct(product, audit) {
      await transactWrite(client, [
        { Put: { TableName: tableName(), Item: productItem(product), ConditionExpression: 'attribute_not_exists(pk)' } },
        auditPut(audit),
      ]);
    },
    async updateProduct(before, after, audit) {
      const unchanged = atVersion(before.version);
      try {
        await transactWrite(client, [
          {
            Put: {
              TableName: tableName(),
              Item: productItem({ ...after, version: before.version + 1 }),
              ConditionExpression: unchanged.condition,
              ExpressionAttributeNames: unchanged.names,
              ...(Object.keys(unchanged.values).length ? { ExpressionAttributeValues: unchanged.values } : {}),
            },
          },
          auditPut(audit),
        ]);
        return 'updated';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'stale';
        throw err;
      }
    },
    async getProduct(productId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.product(productId), ConsistentRead: true }));
      return Item ? ProductSchema.parse(Item) : undefined;
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
        ? byIndex(INDEX.byGsi1, 'gsi1pk', keys.productsBySupplierPartition(supplierId))
        : byIndex(INDEX.byGsi2, 'gsi2pk', keys.allProductsPartition);
    },
  };
}
