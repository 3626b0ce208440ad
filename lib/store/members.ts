// DynamoDB adapter of the MemberStore port: the supplier a phone signs in for (`PHONE#<phone>`/`SUPPLIER`,
// the guard and the sign-in lookup) and the same member in the supplier's partition, for listing.
import type { MemberStore } from '../auth/ports';
import { SupplierMemberSchema } from '../../schemas/auth';
import { auditPut } from './audit';
import type { Db } from './dynamo';
import { db, guardedWrite, putIfNew, readItem, tableName } from './dynamo';
import { keys } from './keys';

export function dynamoMemberStore(client: Db = db()): MemberStore {
  const get = (phone: string) => readItem(client, keys.phoneSupplier(phone), (i) => SupplierMemberSchema.parse(i));
  return {
    get,
    async supplierOf(phone) {
      return (await get(phone))?.supplierId;
    },
    async add(member, audit) {
      const failed = await guardedWrite(
        client,
        [
          putIfNew({ ...keys.phoneSupplier(member.phone), type: 'PHONE_SUPPLIER', ...member }),
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.supplierMember(member.supplierId, member.phone), type: 'SUPPLIER_MEMBER', ...member },
            },
          },
          auditPut(audit),
        ],
        ['taken'],
      );
      return failed ?? 'added';
    },
    async remove(member, audit) {
      // Removed meanwhile by another operator: nothing left to do.
      await guardedWrite(
        client,
        [
          {
            Delete: {
              TableName: tableName(),
              Key: keys.phoneSupplier(member.phone),
              ConditionExpression: 'supplierId = :supplierId',
              ExpressionAttributeValues: { ':supplierId': member.supplierId },
            },
          },
          { Delete: { TableName: tableName(), Key: keys.supplierMember(member.supplierId, member.phone) } },
          auditPut(audit),
        ],
        ['removed'],
      );
    },
  };
}
