// Opening a WeChat Pay notification: the signature and timestamp first (401 and nothing else read if
// either fails), then the envelope, the event type, and the AEAD_AES_256_GCM resource inside it.
import type { z } from 'zod';
import { WeChatPayNotificationSchema } from '../../../schemas/wechatpay';
import type { Opened } from '../../payments/provider';
import type { WeChatPayKey } from './signing';
import { checkWeChatPaySignature, decryptResource } from './signing';

export interface NotificationKeys {
  wechatPay: WeChatPayKey;
  apiV3Key: string;
}

const SIGNATURE_REFUSALS = {
  missing: 'Missing Wechatpay-* signature headers',
  unknown_serial: 'Wechatpay-Serial is not our WeChat Pay public key id',
  stale: 'Wechatpay-Timestamp is more than 5 minutes off',
  bad_signature: 'Bad signature',
} as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A genuine notification of one of `eventTypes`: its decrypted resource, parsed by `schema`, as `read` takes it
 * (an event, or one to ignore, or to refuse as not ours).
 */
export function openNotification<T, E>(
  keys: NotificationKeys,
  rawBody: string,
  headers: Record<string, string>,
  now: Date,
  expected: { eventTypes: readonly string[]; schema: z.ZodType<T>; read: (resource: T) => Opened<E> },
): Opened<E> {
  const check = checkWeChatPaySignature(headers, rawBody, keys.wechatPay, now);
  if (check !== 'ok') return { kind: 'refused', status: 401, message: SIGNATURE_REFUSALS[check] };
  const envelope = WeChatPayNotificationSchema.safeParse(parseJson(rawBody));
  if (!envelope.success) return { kind: 'refused', status: 400, message: 'Not a WeChat Pay notification' };
  const n = envelope.data;
  if (!expected.eventTypes.includes(n.event_type))
    return { kind: 'refused', status: 400, message: `Unexpected event_type ${n.event_type}` };
  let plaintext: string;
  try {
    plaintext = decryptResource(n.resource, keys.apiV3Key);
  } catch {
    return { kind: 'refused', status: 400, message: 'The resource does not decrypt with our APIv3 key' };
  }
  const resource = expected.schema.safeParse(parseJson(plaintext));
  if (!resource.success) return { kind: 'refused', status: 400, message: `Unexpected ${n.resource.original_type} resource` };
  return expected.read(resource.data);
}

/**
 * The openers of one merchant's notifications (its settings read, and the time taken, at each notification):
 * each of one kind, its resource read with the merchant's settings at hand (to refuse what is not ours).
 */
export function notificationOpener<M extends { keys: NotificationKeys }>(merchant: () => M, now: () => Date) {
  return <T, E>(expected: { eventTypes: readonly string[]; schema: z.ZodType<T>; read: (resource: T, merchant: M) => Opened<E> }) =>
    (rawBody: string, headers: Record<string, string>): Opened<E> => {
      const m = merchant();
      return openNotification(m.keys, rawBody, headers, now(), { ...expected, read: (resource) => expected.read(resource, m) });
    };
}
