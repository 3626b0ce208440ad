// The production wiring of the purchase-order use-cases: the store adapters the DATA_STORE setting names
// (DynamoDB on AWS and in the local stack, CloudBase's document database in the CloudBase build).
import { cloudbaseCatalogueStore } from '../adapters/cloudbase/catalogue';
import { cloudbaseGroupBuyStore } from '../adapters/cloudbase/group-buys';
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { cloudbasePickupStore } from '../adapters/cloudbase/pickups';
import { cloudbaseConsolidationStore, cloudbasePurchaseOrderStore } from '../adapters/cloudbase/purchase-orders';
import { cloudbaseShortfallStore } from '../adapters/cloudbase/shortfalls';
import { systemClock } from '../runtime/clock';
import { onCloudBase } from '../runtime/config';
import { dynamoCatalogueStore } from '../store/catalogue';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoOrderStore } from '../store/orders';
import { dynamoPickupStore } from '../store/pickups';
import { dynamoShortfallStore } from '../store/shortfalls';
import { dynamoConsolidationStore, dynamoPurchaseOrderStore } from '../store/purchase-orders';
import type { ConsolidationDeps } from './consolidation-ports';
import type { PurchaseOrderDeps } from './purchase-orders';
import type { ShortfallDeps } from './shortfalls';

export const consolidationDeps = (): ConsolidationDeps => ({
  store: onCloudBase() ? cloudbaseConsolidationStore() : dynamoConsolidationStore(),
  groupBuys: onCloudBase() ? cloudbaseGroupBuyStore() : dynamoGroupBuyStore(),
  clock: systemClock,
});

export const purchaseOrderDeps = (): PurchaseOrderDeps => {
  const catalogue = onCloudBase() ? cloudbaseCatalogueStore() : dynamoCatalogueStore();
  return {
    purchaseOrders: onCloudBase() ? cloudbasePurchaseOrderStore() : dynamoPurchaseOrderStore(),
    clock: systemClock,
    async caseSizes(productIds) {
      const products = await catalogue.getProducts([...productIds]);
      return new Map([...products.values()].map((p) => [p.productId, p.caseSize]));
    },
  };
};

export const shortfallDeps = (): ShortfallDeps => {
  const pickups = onCloudBase() ? cloudbasePickupStore() : dynamoPickupStore();
  return {
    purchaseOrders: onCloudBase() ? cloudbasePurchaseOrderStore() : dynamoPurchaseOrderStore(),
    shortfalls: onCloudBase() ? cloudbaseShortfallStore() : dynamoShortfallStore(),
    orders: onCloudBase() ? cloudbaseOrderStore() : dynamoOrderStore(),
    sheetLines: (leaderId, date) => pickups.sheetLines(leaderId, date),
    clock: systemClock,
  };
};
