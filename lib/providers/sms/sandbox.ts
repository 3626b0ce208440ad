// The sandbox SMS provider of the local stage: "sends" a code by keeping it as the phone's last text,
// which `GET /dev/sms` shows, and a notification by keeping it for `GET /dev/messages`. Nothing leaves the machine.
import type { SentSmsLog, SmsSender } from '../../auth/ports';
import type { MessageChannel, SentMessageLog } from '../../notifications/ports';

export function sandboxSmsSender(outbox: SentSmsLog, now: () => Date = () => new Date()): SmsSender {
  return {
    async sendCode(phone, code) {
      await outbox.record(phone, code, now().toISOString());
    },
  };
}

/** The sandbox as a notifications channel: keeps each message, as the phone would show it, for `GET /dev/messages`. */
export function sandboxNoticeSms(log: SentMessageLog, now: () => Date = () => new Date()): MessageChannel {
  return {
    async send(message) {
      await log.record(message.to, { channel: 'sms', template: message.template, text: message.text, sentAt: now().toISOString() });
      return 'sent';
    },
  };
}
