// Notifications over HTTP: a leader confirms the goods arrived at their pickup point (到货), which tells
// each resident with a ready order; everyone signed in chooses their channels (SMS, WeChat).
import { confirmArrival } from '../../lib/notifications/arrivals';
import { getSettings, putSettings } from '../../lib/notifications/settings';
import { arrivalDeps, settingsDeps } from '../../lib/notifications/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';
import { ArrivalBodySchema, NotificationSettingsBodySchema } from '../../schemas/notifications';

const arrivals = arrivalDeps();
const settings = settingsDeps();

export const routes: Routes = {
  'POST /pickup-points/me/arrivals': route({
    auth: 'user',
    body: ArrivalBodySchema,
    answer: ({ principal, body }) => confirmArrival(arrivals, principal, body),
  }),
  'GET /me/notification-settings': route({
    auth: 'user',
    async handle({ principal }) {
      return { body: await getSettings(settings, principal), headers: { 'cache-control': 'no-store' } };
    },
  }),
  'PUT /me/notification-settings': route({
    auth: 'user',
    body: NotificationSettingsBodySchema,
    answer: ({ principal, body }) => putSettings(settings, principal, body),
  }),
};

export const main = httpFunction(routes);
