// The smallest useful function, the yardstick of bench/bundles.ts: middy, one zod schema, one DocumentClient
// read. Built and loaded exactly as the platform's functions are, in the same run.
import middy from '@middy/core';
import * as z from 'zod';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const Path = z.object({ id: z.string().min(1) });
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const main = middy(async (event: { pathParameters?: Record<string, string | undefined> }) => {
  const { id } = Path.parse(event.pathParameters ?? {});
  const { Item } = await db.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: `X#${id}`, sk: 'X' } }));
  return { statusCode: Item ? 200 : 404, body: JSON.stringify(Item ?? { error: 'NOT_FOUND' }) };
});
