// A person's notification settings: SMS, WeChat subscribe messages, or both (the default). Essential
// messages (pickup codes, refunds) still reach them by one channel whatever they choose (./delivery.ts).
import type { NotificationSettings } from '../../schemas/notifications';
import { DEFAULT_SETTINGS } from '../../schemas/notifications';
import type { Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import type { People, SettingsStore } from './ports';

export interface SettingsDeps {
  settings: SettingsStore;
  people: Pick<People, 'openIdOf'>;
  clock: Clock;
}

export interface SettingsView extends NotificationSettings {
  /** Whether WeChat messages can reach this person at all: they signed in with WeChat at least once. */
  wechatBound: boolean;
}

export async function getSettings(deps: SettingsDeps, principal: Principal): Promise<SettingsView> {
  const [settings, openId] = await Promise.all([deps.settings.get(principal.userId), deps.people.openIdOf(principal.userId)]);
  return { ...(settings ?? DEFAULT_SETTINGS), wechatBound: Boolean(openId) };
}

export async function putSettings(deps: SettingsDeps, principal: Principal, body: NotificationSettings): Promise<SettingsView> {
  const before = (await deps.settings.get(principal.userId)) ?? DEFAULT_SETTINGS;
  const at = deps.clock.now().toISOString();
  const after = { sms: body.sms, wechat: body.wechat };
  await deps.settings.put(principal.userId, after, at, {
    entityId: principal.userId,
    entityType: 'user',
    action: 'notifications.settings_changed',
    actor: principal.userId,
    at,
    before,
    after,
  });
  return { ...after, wechatBound: Boolean(await deps.people.openIdOf(principal.userId)) };
}
