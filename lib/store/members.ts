// DynamoDB adapter of the MemberStore port: the supplier a phone signs in for (`PHONE#<phone>`/`SUPPLIER`,
// the guard and the sign-in lookup) and the same member in the supplier's partition, for listing.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { MemberStore } from '../auth/ports';
import { SupplierMemberSchema } from '../../schemas/auth';
import { auditPut } from './audit';
import { cancellationReasons, db, tableName, transactWrite, type Db } from './dynamo';
import { keys } from './keys';

export function dynamoMemberStore(client: Db = db()): MemberStore {
  const get = async (phone: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.phoneSupplier(phone), ConsistentRead: true }));
    return Item ? SupplierMemberSchema.parse(Item) : undefined;
  };
  return {
    get,
    async supplierOf(phone) {
      return (await get(phone))?.supplierId;
    },
    async add(member, audit) {
      try {
        await transactWrite(client, [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.phoneSupplier(member.phone), type: 'PHONE_SUPPLIER', ...member },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.supplierMember(member.supplierId, member.phone), type: 'SUPPLIER_MEMBER', ...member },
            },
          },
          auditPut(audit),
        ]);
        return 'added';
      } catch (err) {
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return 'taken';
        throw err;
      }
    },
    async remove(member, audit) {
      try {
        await transactWrite(client, [
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
        ]);
      } catch (err) {
        // Removed meanwhile by another operator: nothing left to do.
        if (cancellationReasons(err)?.[0] === 'ConditionalCheckFailed') return;
        throw err;
      }
    },
  };
}
