// Starts one in-memory DynamoDB Local on a free port for the integration run; each test file makes
// its own table in it (test/support/stack.ts).
import { freePort, javaAvailable, JAVA_MISSING, startDynamoDbLocal, type LocalDynamo } from '../../infra/dynamodb-local';

declare global {
  // eslint-disable-next-line no-var
  var __DYNAMODB_LOCAL__: LocalDynamo | undefined;
}

export default async function globalSetup() {
  if (!javaAvailable()) throw new Error(JAVA_MISSING);
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  globalThis.__DYNAMODB_LOCAL__ = dynamo;
  // Workers start after this and inherit the environment.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
}
