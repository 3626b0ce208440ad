// Creates the table from infra/table.json, the very definition serverless.yml deploys
// (`Properties: ${file(./infra/table.json)}`), so the local and the cloud table cannot drift apart.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials, localRegion } from './dynamodb-local';
import definition from './table.json';

export const TABLE_DEFINITION = definition;

/** CloudFormation's table properties as a CreateTable request (PITR and TTL are separate calls). */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { StreamSpecification, PointInTimeRecoverySpecification: _pitr, TimeToLiveSpecification: _ttl, ...rest } = definition;
  return {
    ...(rest as Omit<CreateTableCommandInput, 'TableName'>),
    TableName: tableName,
    StreamSpecification: { StreamEnabled: true, StreamViewType: StreamSpecification.StreamViewType as 'NEW_AND_OLD_IMAGES' },
  };
}

/** A client of the local DynamoDB, in this installation's database (`DYNAMODB_LOCAL_KEY_ID`). */
export function localClient(endpoint: string) {
  return new DynamoDBClient({ endpoint, region: localRegion(), credentials: localCredentials() });
}

/** Creates the table when missing and waits until it is active. Returns its stream ARN. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<string> {
  let created = false;
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof Error && err.name === 'ResourceNotFoundException')) throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    created = true;
  }
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE' && Table.LatestStreamArn) {
      if (created) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: definition.TimeToLiveSpecification.AttributeName, Enabled: true },
          }),
        );
      }
      return Table.LatestStreamArn;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
