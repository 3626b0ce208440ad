// GET /health: 200 once the store answers and every registered part of the stack is running; and the
// catch-all route, so an unknown path gets API.md's error shape.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../lib/runtime/errors';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';
import { notReady } from '../../lib/runtime/readiness';
import { db, tableName } from '../../lib/store/dynamo';

export const routes: Routes = {
  'GET /health': route({
    auth: 'public',
    async handle() {
      const waiting = notReady();
      try {
        await db().send(new GetCommand({ TableName: tableName(), Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
      } catch {
        waiting.push('store');
      }
      return waiting.length === 0 ? { body: { ok: true } } : { status: 503, body: { ok: false, waiting } };
    },
  }),
  // API Gateway's $default route: a path that no other route serves gets the API's own 404.
  $default: route({
    auth: 'public',
    async handle() {
      throw new AppError('NOT_FOUND', 'No such route');
    },
  }),
};

export const main = httpFunction(routes);
