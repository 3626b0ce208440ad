// GET /health: 200 once the store answers and every registered part of the stack is running; and the
// catch-all route, so an unknown path gets API.md's error shape.
import { health } from '../../lib/health/health';
import { healthDeps } from '../../lib/health/wiring';
import { AppError } from '../../lib/runtime/errors';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = healthDeps();

export const routes: Routes = {
  'GET /health': route({
    auth: 'public',
    async handle() {
      const state = await health(deps);
      return state.ok ? { body: state } : { status: 503, body: state };
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
