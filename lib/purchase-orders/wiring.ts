// The production wiring of the purchase-order use-cases: the store adapters the DATA_STORE setting names
// (DynamoDB on AWS and in the local stack, CloudBase's document database in the CloudBase build).
import { cloudbaseGroupBuyStore } from '../adapters/cloudbase/group-buys';
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { cloudbaseCaseSizes, cloudbaseConsolidationStore, cloudbasePurchaseOrderStore } from '../adapters/cloudbase/purchase-orders';
import { cloudbaseShortfallStore } from '../adapters/cloudbase/shortfalls';
import { systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { dynamoCatalogueStore } from '../store/catalogue';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoOrderStore } from '../store/orders';
import { dynamoPickupStore } from '../store/pickups';
import { dynamoShortfallStore } from '../store/shortfalls';
import { dynamoConsolidationStore, dynamoPurchaseOrderStore } from '../store/purchase-orders';
import type { ConsolidationDeps } from './consolidation-ports';
import type { PurchaseOrderDeps } from './purchase-orders';
import type { ShortfallDeps } from './shortfalls';

const onCloudBase = () => config.dataStore === 'cloudbase';

export const consolidationDeps = (): ConsolidationDeps => ({
  store: onCloudBase() ? cloudbaseConsolidationStore() : dynamoConsolidationStore(),
  groupBuys: onCloudBase() ? cloudbaseGroupBuyStore() : dynamoGroupBuyStore(),
  clock: systemClock,
});

export const purchaseOrderDeps = (): PurchaseOrderDeps => {
  if (onCloudBase())
    // The catalogue's CloudBase adapter is not on main yet: its `products` documents are read directly.
    return { purchaseOrders: cloudbasePurchaseOrderStore(), clock: systemClock, caseSizes: (ids) => cloudbaseCaseSizes(ids) };
  const catalogue = dynamoCatalogueStore();
  return {
    purchaseOrders: dynamoPurchaseOrderStore(),
    clock: systemClock,
    async caseSizes(productIds) {
      const products = await catalogue.getProducts([...productIds]);
      return new Map([...products.values()].map((p) => [p.productId, p.caseSize]));
    },
  };
};

export const shortfallDeps = (): ShortfallDeps => {
  if (onCloudBase())
    return {
      purchaseOrders: cloudbasePurchaseOrderStore(),
      shortfalls: cloudbaseShortfallStore(),
      orders: cloudbaseOrderStore(),
      // Pickup sheets are not on CloudBase yet (another branch brings them): a report fails here, decides nothing.
      sheetLines: () => Promise.reject(new Error('Pickup sheets are not on CloudBase yet: shortfalls cannot be allocated there')),
      clock: systemClock,
    };
  const pickups = dynamoPickupStore();
  return {
    purchaseOrders: dynamoPurchaseOrderStore(),
    shortfalls: dynamoShortfallStore(),
    orders: dynamoOrderStore(),
    sheetLines: (leaderId, date) => pickups.sheetLines(leaderId, date),
    clock: systemClock,
  };
};
