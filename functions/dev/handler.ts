// Local-stage helpers (`/dev/*`): a login that issues tokens, and the sandbox payment provider.
// Every other stage answers 404, as if the routes did not exist.
import { DevLoginBodySchema } from '../../schemas/auth';
import { jwtIdentity } from '../../lib/runtime/auth';
import { config, requireLocalStage } from '../../lib/runtime/config';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';

const identity = jwtIdentity(() => config.authSecret);

export const routes: Routes = {
  'POST /dev/login': route({
    auth: 'public',
    body: DevLoginBodySchema,
    async handle({ body }) {
      requireLocalStage();
      return { body: { token: await identity.issue({ userId: body.userId, roles: body.roles, ...(body.supplierId ? { supplierId: body.supplierId } : {}) }) } };
    },
  }),
};

export const main = httpFunction(routes);
