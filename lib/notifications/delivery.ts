// Sending one notice, exactly once as far as we can make it: the notice is claimed (a lease, so that a
// duplicate delivery of its record does nothing while another invocation sends it), completed when it
// is a purchase-order notice (the latest revision, or nothing when a later one made it moot), sent by
// the first channel that takes it, in the person's order of preference, and marked sent. A channel that
// fails is retried a few times with backoff here; then the claim is given back, the attempt counted, and
// the error thrown: the queue delivers the notice's record again later, and after its last delivery
// parks it in the dead-letter queue (an alarm; `npm run redrive` sends it back).
import type { Channel, Notice, NotificationSettings } from '../../schemas/notifications';
import { DEFAULT_SETTINGS } from '../../schemas/notifications';
import type { Clock, Ids } from '../runtime/clock';
import type { MessageChannel, NoticeOutcome, NoticeStore, People, PurchaseOrderFacts, SettingsStore } from './ports';
import type { Params } from './templates';
import { renderText, smsParamsOf, TEMPLATE_SPECS, wechatDataOf, yuan } from './templates';

export interface DeliveryDeps {
  notices: NoticeStore;
  settings: Pick<SettingsStore, 'get'>;
  people: People;
  purchaseOrders: PurchaseOrderFacts;
  channels: Record<Channel, MessageChannel>;
  clock: Clock;
  ids: Ids;
  /** The platform's address (links in texts). */
  site: string;
  /** How long a claim holds: longer than one invocation may run, shorter than the queue's visibility timeout. */
  leaseSeconds: number;
  /** Tries per channel within one delivery, and the first pause between them (doubling, with jitter). */
  tries: number;
  backoffMs: number;
}

/**
 * The channels to try, in order (pure). WeChat first when the person wants it and has an OPENID (it
 * costs nothing and lands in WeChat), then SMS when they want it. Pickup codes and refund notices
 * (essential) go by SMS as the last resort when the chosen channels cannot carry them: "by the remaining
 * channel if one is off, and by SMS if both are". Anything else respects the settings: both off, nothing.
 */
export function channelsToTry(settings: NotificationSettings, address: { phone?: string; openId?: string }, essential: boolean): Channel[] {
  const channels: Channel[] = [];
  if (settings.wechat && address.openId) channels.push('wechat');
  if (settings.sms && address.phone) channels.push('sms');
  if (essential && address.phone && !channels.includes('sms')) channels.push('sms');
  if (essential && !address.phone && address.openId && !channels.includes('wechat')) channels.push('wechat');
  return channels;
}

/** A notice that has to wait for another one (a purchase order's revision before its issue is told). */
export class NotYet extends Error {
  override name = 'NotYet';
}

export type DeliveryResult = 'sent' | 'skipped' | 'undeliverable' | 'already' | 'busy';

const issueNoticeId = (notice: Notice) => `po:${notice.params.poId}:r1:${notice.phone}`;

/**
 * Completes a purchase-order notice from the document as it is now: a notice of a revision that a later
 * revision (or an issue notice that already told this one) made moot is skipped; a revision waits for the
 * issue notice of its document, so that "new" is never told after "changed".
 */
async function completePurchaseOrder(deps: DeliveryDeps, notice: Notice): Promise<{ params: Params; revision: number } | { skip: string }> {
  const p = notice.params;
  const revision = Number(p.revision);
  const current = await deps.purchaseOrders.current(p.supplierId!, p.deliveryDate!, Number(p.part));
  if (!current) return { skip: 'the purchase order no longer exists' };
  if (revision > 1) {
    if (current.revision > revision) return { skip: `superseded by revision ${current.revision}` };
    const issue = await deps.notices.get(issueNoticeId(notice));
    if (issue?.status === 'pending') throw new NotYet(`waits for ${issue.noticeId}`);
    if (issue?.status === 'sent' && (issue.toldRevision ?? 1) >= revision) return { skip: `told by ${issue.noticeId}` };
  }
  return { params: { ...p, kinds: String(current.kinds), amount: yuan(current.totalFen) }, revision: current.revision };
}

const PURCHASE_ORDER_TEMPLATES = new Set(['po_issued', 'po_revised', 'po_supplement']);

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One channel, retried `tries` times with exponential backoff and jitter while it throws. */
async function sendWithRetries(deps: DeliveryDeps, channel: MessageChannel, message: Parameters<MessageChannel['send']>[0]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await channel.send(message);
    } catch (err) {
      if (attempt >= deps.tries) throw err;
      await pause(deps.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);

/** Sends the notice once. Throws when it should be tried again later (the queue's retry). */
export async function deliverNotice(deps: DeliveryDeps, noticeId: string): Promise<DeliveryResult> {
  const seen = await deps.notices.get(noticeId);
  if (!seen || seen.status !== 'pending') return 'already';
  const now = deps.clock.now();
  const token = deps.ids.next();
  const notice = await deps.notices.claim(
    noticeId,
    token,
    now.toISOString(),
    new Date(now.getTime() + deps.leaseSeconds * 1000).toISOString(),
  );
  // Another invocation holds it (a duplicate delivery), or it was finished meanwhile.
  if (!notice) return 'busy';

  const finish = async (outcome: NoticeOutcome) => {
    await deps.notices.finish(noticeId, token, outcome);
    return outcome.status;
  };
  try {
    let params = notice.params;
    let toldRevision: number | undefined;
    if (PURCHASE_ORDER_TEMPLATES.has(notice.template)) {
      const completed = await completePurchaseOrder(deps, notice);
      if ('skip' in completed) return await finish({ status: 'skipped', outcome: completed.skip });
      params = completed.params;
      toldRevision = completed.revision;
    }

    const userId = notice.userId ?? (notice.phone ? await deps.people.userIdByPhone(notice.phone) : undefined);
    const settings = (userId ? await deps.settings.get(userId) : undefined) ?? DEFAULT_SETTINGS;
    const openId = userId ? await deps.people.openIdOf(userId) : undefined;
    const essential = TEMPLATE_SPECS[notice.template].essential;
    const channels = channelsToTry(
      settings,
      { ...(notice.phone ? { phone: notice.phone } : {}), ...(openId ? { openId } : {}) },
      essential,
    );
    if (channels.length === 0) {
      // With an address, only a person's own choice leaves no channel (essential notices always have one).
      return await finish(
        notice.phone || openId
          ? { status: 'skipped', outcome: 'turned off by the person' }
          : { status: 'undeliverable', outcome: 'no address' },
      );
    }

    const text = renderText(notice.template, params, deps.site);
    const refusals: string[] = [];
    let failure: unknown;
    for (const channel of channels) {
      const to = channel === 'sms' ? notice.phone! : openId!;
      try {
        const result = await sendWithRetries(deps, deps.channels[channel], {
          to,
          template: notice.template,
          text,
          smsParams: smsParamsOf(notice.template, params),
          wechatData: wechatDataOf(notice.template, params),
          ...(notice.link ? { link: notice.link } : {}),
        });
        if (result === 'sent') {
          return await finish({
            status: 'sent',
            channel,
            sentAt: deps.clock.now().toISOString(),
            ...(toldRevision !== undefined ? { toldRevision } : {}),
          });
        }
        refusals.push(`${channel}: ${result.unavailable}`);
      } catch (err) {
        // Another channel may still carry it now; this one is tried again with the notice if none does.
        failure ??= err;
        refusals.push(`${channel}: ${errorText(err)}`);
      }
    }
    if (failure) throw failure instanceof Error ? failure : new Error(errorText(failure));
    return await finish({ status: 'undeliverable', outcome: refusals.join('; ') });
  } catch (err) {
    await deps.notices.release(noticeId, token, errorText(err));
    throw err;
  }
}
