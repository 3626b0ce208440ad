// CloudBase adapter of the CatalogueStore port: one `suppliers` document per supplier and one `products` document
// per product, keyed by their ids; each created or changed in one transaction with its audit record, a product's
// change decided on the version it was read at (as on DynamoDB).
import type { CatalogueStore } from '../../catalogue/catalogue';
import type { Product } from '../../../schemas/catalogue';
import { ProductSchema, SupplierSchema } from '../../../schemas/catalogue';
import { auditAdd } from './audit';
import { COLLECTIONS } from './collections';
import type { CloudBaseDb, StoredDoc } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, queryAll, Rollback, txDoc } from './db';

const parseProduct = entityOf(ProductSchema);

/** The order each listing has on DynamoDB (its sort keys, compared as strings): a supplier's by creation, all by name. */
const sortedBy = (key: (p: Product) => string) => (a: Product, b: Product) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const byCreation = sortedBy((p) => `${p.createdAt}#${p.productId}`);
const byName = sortedBy((p) => `${p.name}#${p.productId}`);

/** A `where({_id: _.in(ids)})` carries at most this many ids (a query answers 1,000 documents at most). */
const IDS_PER_QUERY = 100;

export function cloudbaseCatalogueStore(db: CloudBaseDb = cloudbaseDb()): CatalogueStore {
  const _ = db.command;
  return {
    async getSupplier(supplierId) {
      return getDoc(db, COLLECTIONS.suppliers, supplierId, entityOf(SupplierSchema));
    },

    // `create` fails on an existing id (DATABASE_DUPLICATE_WRITE), as DynamoDB's putIfNew does: ids are new ones.
    putSupplier: (supplier, audit) =>
      inTransaction(db, async (tx) => {
        await txDoc(tx, COLLECTIONS.suppliers, supplier.supplierId).create({ ...supplier });
        await auditAdd(tx, audit);
      }),

    putProduct: (product, audit) =>
      inTransaction(db, async (tx) => {
        await txDoc(tx, COLLECTIONS.products, product.productId).create({ ...product });
        await auditAdd(tx, audit);
      }),

    updateProduct: (before, after, audit) =>
      inTransaction(db, async (tx): Promise<'updated' | Rollback<'stale'>> => {
        // Optimistic lock: read and written here, so that a change landing meanwhile conflicts or is seen.
        const doc = txDoc(tx, COLLECTIONS.products, before.productId);
        const current = await doc.get();
        if (!current || current.version !== before.version) return new Rollback('stale');
        await doc.set({ ...after, version: before.version + 1 });
        await auditAdd(tx, audit);
        return 'updated';
      }),

    async getProduct(productId) {
      return getDoc(db, COLLECTIONS.products, productId, parseProduct);
    },

    async getProducts(productIds) {
      const found = new Map<string, Product>();
      const unique = [...new Set(productIds)];
      for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
        const ids = unique.slice(i, i + IDS_PER_QUERY);
        const { data } = (await db
          .collection(COLLECTIONS.products)
          .where({ _id: _.in(ids) })
          .limit(ids.length)
          .get()) as { data: StoredDoc[] };
        for (const doc of data) {
          const product = parseProduct(doc);
          found.set(product.productId, product);
        }
      }
      return found;
    },

    async listProducts(supplierId) {
      // The whole catalogue is what `GET /products` without a supplier asks for (DynamoDB reads its one
      // partition of every product the same way); a supplier's products come by the `supplierId` index.
      const docs = await queryAll(db, COLLECTIONS.products, supplierId ? { supplierId } : {});
      return docs.map(parseProduct).sort(supplierId ? byCreation : byName);
    },
  };
}
