// The production wiring of notifications: the outbox of notices and the lookups on the configured data store
// (DynamoDB, or CloudBase's document database in the CloudBase build), and the two channels chosen
// by the settings that choose sign-in's providers (SMS_PROVIDER, WECHAT_PROVIDER): the local stage's
// sandboxes keep what they "sent" for `GET /dev/messages`; elsewhere Tencent Cloud SMS and WeChat's
// subscribe messages, each with a template per message.
import type { TemplateName } from '../../schemas/notifications';
import { TEMPLATES } from '../../schemas/notifications';
import { cloudbaseLeaderStore } from '../adapters/cloudbase/leaders';
import {
  cloudbaseArrivalStore,
  cloudbaseNoticeStore,
  cloudbasePeople,
  cloudbasePurchaseOrderFacts,
  cloudbaseSentMessageLog,
  cloudbaseSettingsStore,
  cloudbaseSheetLines,
  cloudbaseSupplierContacts,
} from '../adapters/cloudbase/notifications';
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { sandboxNoticeSms } from '../providers/sms/sandbox';
import { tencentNoticeSms } from '../providers/sms/notices';
import { sandboxWeChatSubscribe } from '../providers/wechat/sandbox';
import { wechatSubscribeChannel } from '../providers/wechat/subscribe';
import { randomIds, systemClock } from '../runtime/clock';
import { config, onCloudBase } from '../runtime/config';
import { dynamoLeaderStore } from '../store/leaders';
import {
  dynamoArrivalStore,
  dynamoNoticeStore,
  dynamoPeople,
  dynamoPurchaseOrderFacts,
  dynamoSentMessageLog,
  dynamoSettingsStore,
  dynamoSupplierContacts,
} from '../store/notifications';
import { dynamoOrderStore } from '../store/orders';
import { dynamoPickupStore } from '../store/pickups';
import type { ArrivalDeps } from './arrivals';
import type { DeliveryDeps } from './delivery';
import type { MessageChannel } from './ports';
import type { PlanningDeps } from './planning';
import type { ReminderDeps } from './reminders';
import type { SettingsDeps } from './settings';

/** The store adapters of notifications on the configured data store (each built when asked for). */
const adapters = () =>
  onCloudBase()
    ? {
        notices: cloudbaseNoticeStore,
        settings: cloudbaseSettingsStore,
        people: cloudbasePeople,
        purchaseOrders: cloudbasePurchaseOrderFacts,
        suppliers: cloudbaseSupplierContacts,
        arrivals: cloudbaseArrivalStore,
        sheets: cloudbaseSheetLines,
        orders: cloudbaseOrderStore,
        leaders: cloudbaseLeaderStore,
        sentMessages: cloudbaseSentMessageLog,
      }
    : {
        notices: dynamoNoticeStore,
        settings: dynamoSettingsStore,
        people: dynamoPeople,
        purchaseOrders: dynamoPurchaseOrderFacts,
        suppliers: dynamoSupplierContacts,
        arrivals: dynamoArrivalStore,
        sheets: dynamoPickupStore,
        orders: dynamoOrderStore,
        leaders: dynamoLeaderStore,
        sentMessages: dynamoSentMessageLog,
      };

type Adapters = ReturnType<typeof adapters>;

/** The named stores, built on the configured data store. */
function stores<K extends keyof Adapters>(...names: K[]): { [N in K]: ReturnType<Adapters[N]> } {
  const all = adapters();
  return Object.fromEntries(names.map((name) => [name, all[name]()])) as { [N in K]: ReturnType<Adapters[N]> };
}

/** The sandboxes' log, for `GET /dev/messages` (local stage only). */
export const sentMessages = stores('sentMessages').sentMessages;

/** Template ids by message, refusing a name that is no message (a typo would silently text nobody). */
function templatesFrom(variable: string, ids: Record<string, string>): Partial<Record<TemplateName, string>> {
  const unknown = Object.keys(ids).filter((name) => !(TEMPLATES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`${variable} names no such message: ${unknown.join(', ')} (messages: ${TEMPLATES.join(', ')})`);
  return ids;
}

function smsChannel(): MessageChannel {
  if (config.smsProvider !== 'tencent') return sandboxNoticeSms(sentMessages);
  return tencentNoticeSms(() => {
    const s = config.tencentSmsNotices;
    return { ...s, templates: templatesFrom('TENCENT_SMS_NOTICE_TEMPLATES', s.templates) };
  });
}

function wechatChannel(): MessageChannel {
  if (config.wechatProvider !== 'wechat') return sandboxWeChatSubscribe(sentMessages);
  return wechatSubscribeChannel(() => {
    const s = config.wechatSubscribe;
    return { ...s, templates: templatesFrom('WECHAT_SUBSCRIBE_TEMPLATES', s.templates) };
  });
}

const site = () => config.publicUrl;

export function deliveryDeps(): DeliveryDeps {
  return {
    ...stores('notices', 'settings', 'people', 'purchaseOrders'),
    channels: { sms: smsChannel(), wechat: wechatChannel() },
    clock: systemClock,
    ids: randomIds,
    site: site(),
    // The sender runs at most 30 s; its queue redelivers after 120 s.
    leaseSeconds: 60,
    tries: 3,
    backoffMs: 500,
  };
}

export function planningDeps(): PlanningDeps {
  return { ...stores('notices', 'orders', 'leaders', 'suppliers', 'people'), clock: systemClock, site: site() };
}

export function arrivalDeps(): ArrivalDeps {
  return { ...stores('leaders', 'sheets', 'orders', 'arrivals', 'notices'), clock: systemClock, site: site() };
}

export function settingsDeps(): SettingsDeps {
  return { ...stores('settings', 'people'), clock: systemClock };
}

/** For the uncollected-refund job: `remindUncollected(reminderDeps(), orders, refundOn)`. */
export function reminderDeps(): ReminderDeps {
  return { ...stores('notices'), clock: systemClock, site: site() };
}
