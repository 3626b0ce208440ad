// DynamoDB adapter of the ShortfallStore port: a shortfall report, written once with its audit.
import type { ShortfallStore } from '../purchase-orders/shortfalls';
import { ShortfallSchema } from '../../schemas/shortfalls';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, putIfNew, readItem } from './dynamo';
import { keys } from './keys';

export function dynamoShortfallStore(client: Db = db()): ShortfallStore {
  return {
    async get(purchaseOrderId, shortfallId) {
      return readItem(client, keys.shortfall(purchaseOrderId, shortfallId), (i) => ShortfallSchema.parse(i));
    },
    async put(shortfall, audit) {
      const failed = await guardedWrite(
        client,
        [
          putIfNew({ ...keys.shortfall(shortfall.purchaseOrderId, shortfall.shortfallId), type: 'SHORTFALL', ...shortfall }),
          auditPut(audit),
        ],
        ['exists'],
      );
      return failed ?? 'written';
    },
  };
}
