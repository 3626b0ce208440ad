import { systemClock } from '../runtime/clock';
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
  store: dynamoConsolidationStore(),
  groupBuys: dynamoGroupBuyStore(),
  clock: systemClock,
});
export const purchaseOrderDeps = (): PurchaseOrderDeps => {
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
  const pickups = dynamoPickupStore();
  return {
    purchaseOrders: dynamoPurchaseOrderStore(),
    shortfalls: dynamoShortfallStore(),
    orders: dynamoOrderStore(),
    sheetLines: (leaderId, date) => pickups.sheetLines(leaderId, date),
    clock: systemClock,
  };
};
