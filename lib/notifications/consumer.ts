// What the notifications consumer does with one table change (its queue is fed by the stream router,
// lib/runtime/stream-routes.json "notify"): a new notice is sent; any other change that causes messages
// (a refund that went through, a leader decided, a payout paid or held, a purchase order revised) is
// turned into notices, whose own INSERTs come back here to be sent. Planning and sending are apart so
// that a provider that keeps failing holds back its notice only, never the change that caused it.
import { count, logger } from '../runtime/observability';
import type { ChangeRecord } from '../runtime/stream';
import type { DeliveryDeps } from './delivery';
import { deliverNotice } from './delivery';
import type { PlanningDeps } from './planning';
import { planNotices } from './planning';

export interface ConsumerDeps {
  planning: PlanningDeps;
  delivery: DeliveryDeps;
}

/** Another invocation holds the notice's claim: its message comes again later (then sent or free). */
export class NoticeBusy extends Error {
  override name = 'NoticeBusy';
}

export async function onChange(deps: ConsumerDeps, change: ChangeRecord): Promise<void> {
  const image = change.newImage;
  if (image?.type === 'NOTICE') {
    // Only its INSERT sends it: its own updates (claimed, sent) must not send it again.
    if (change.eventName !== 'INSERT') return;
    const result = await deliverNotice(deps.delivery, String(image.noticeId));
    if (result === 'busy') throw new NoticeBusy(`notice ${String(image.noticeId)} is being sent by another invocation`);
    if (result === 'sent') count('NotificationsSent');
    if (result === 'undeliverable') {
      // No channel could take it (no template configured, no address): a configuration to look at.
      count('NotificationsUndeliverable');
      logger.warn('A notice could not be delivered by any channel', { noticeId: image.noticeId, template: image.template });
    }
    return;
  }
  await planNotices(deps.planning, change);
}
