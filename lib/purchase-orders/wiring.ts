import { systemClock } from '../runtime/clock';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoConsolidationStore, dynamoPurchaseOrderStore } from '../store/purchase-orders';
import type { ConsolidationDeps } from './consolidation';
import type { PurchaseOrderDeps } from './purchase-orders';

export const consolidationDeps = (): ConsolidationDeps => ({
  store: dynamoConsolidationStore(),
  groupBuys: dynamoGroupBuyStore(),
  clock: systemClock,
});
export const purchaseOrderDeps = (): PurchaseOrderDeps => ({ purchaseOrders: dynamoPurchaseOrderStore(), clock: systemClock });
