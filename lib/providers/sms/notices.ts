// Tencent Cloud SMS as a notifications channel: each message has its own approved template (in the SMS
// console, its text as lib/notifications/templates.ts writes it, `{1}`, `{2}`, … for its values), sent
// through the same signed SendSms as the sign-in codes (./tencent.ts).
import type { MessageChannel } from '../../notifications/ports';
import type { TemplateName } from '../../../schemas/notifications';
import type { TencentSmsAccount, TencentSmsOptions } from './tencent';
import { sendSms, TencentSmsError } from './tencent';

export interface TencentNoticeSettings extends TencentSmsAccount {
  /** The approved template id of each message; a message without one is not texted. */
  templates: Partial<Record<TemplateName, string>>;
}

/** Send statuses about the phone, not about us: texting it again will not help (another channel may). */
const PHONE_REFUSED = new Set([
  'InvalidParameterValue.IncorrectPhoneNumber',
  'FailedOperation.PhoneNumberInBlacklist', // the person unsubscribed (回复TD退订)
  'FailedOperation.PhoneNumberOnBlacklist',
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber',
]);

export function tencentNoticeSms(settings: () => TencentNoticeSettings, options: TencentSmsOptions = {}): MessageChannel {
  return {
    async send(message) {
      const s = settings();
      const templateId = s.templates[message.template];
      if (!templateId) return { unavailable: `no SMS template configured for ${message.template}` };
      const status = await sendSms(s, message.to, templateId, message.smsParams, options);
      if (status.code === 'Ok') return 'sent';
      if (PHONE_REFUSED.has(status.code)) return { unavailable: `SendSms: ${status.code}` };
      // Frequency limits (LimitExceeded.*), a template under review, a fault: the queue tries again later.
      throw new TencentSmsError(`SendSms did not send: ${status.code} (request ${status.requestId})`);
    },
  };
}
