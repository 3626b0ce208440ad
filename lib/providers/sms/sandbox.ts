// The sandbox SMS provider of the local stage: "sends" a code by keeping it as the phone's last text,
// which `GET /dev/sms` shows. Nothing leaves the machine.
import type { SentSmsLog, SmsSender } from '../../auth/ports';

export function sandboxSmsSender(outbox: SentSmsLog, now: () => Date = () => new Date()): SmsSender {
  return {
    async sendCode(phone, code) {
      await outbox.record(phone, code, now().toISOString());
    },
  };
}
