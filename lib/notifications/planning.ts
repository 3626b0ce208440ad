// Who hears what, once per event (API.md "Notifications and arrival"): each change that causes a message
// becomes one notice per person, with an id derived from its cause, written only if it does not exist.
// However often a change is delivered, retried or replayed, its notices are written once; sending them
// is the sender's job (./delivery.ts). Nothing here writes anything but notices, so no message can hold
// back an order, a cutoff or a payout.
import * as z from 'zod';
import { PayoutSchema } from '../../schemas/commissions';
import type { Leader } from '../../schemas/leaders';
import { LeaderSchema } from '../../schemas/leaders';
import type { Notice, TemplateName } from '../../schemas/notifications';
import type { Order } from '../../schemas/orders';
import { RefundSchema } from '../../schemas/orders';
import { PurchaseOrderSchema } from '../../schemas/purchase-orders';
import type { Clock } from '../runtime/clock';
import type { ChangeRecord } from '../runtime/stream';
import type { NoticeStore, People, SupplierContacts } from './ports';
import type { Params } from './templates';
import { clip, goodsOf, monthDay, refundReasonText, VALUE_LIMITS, yuan } from './templates';

export interface PlanningDeps {
  notices: Pick<NoticeStore, 'add'>;
  orders: { get(orderId: string): Promise<Order | undefined> };
  leaders: { get(leaderId: string): Promise<Leader | undefined> };
  suppliers: SupplierContacts;
  people: Pick<People, 'userIdByPhone'>;
  clock: Clock;
  site: string;
}

function notice(
  noticeId: string,
  template: TemplateName,
  params: Params,
  to: { phone?: string; userId?: string },
  link: string,
  at: string,
): Notice {
  return {
    noticeId,
    template,
    params,
    ...(to.phone ? { phone: to.phone } : {}),
    ...(to.userId ? { userId: to.userId } : {}),
    link,
    status: 'pending',
    createdAt: at,
    attempts: 0,
  };
}

/** The goods of an order that a resident still has to collect (lines not refunded in full). */
const goodsStillDue = (order: Order) => order.items.filter((l) => l.refundedFen < l.amountFen);

/** A resident's: the order can be collected (the leader confirmed its goods arrived). */
export function pickupReadyNotice(order: Order, pickupPointName: string, site: string, at: string): Notice {
  return notice(
    `pickup-ready:${order.orderId}`,
    'pickup_ready',
    { point: clip(pickupPointName, VALUE_LIMITS.point!), code: order.pickupCode! },
    { phone: order.contactPhone, userId: order.userId },
    `${site}/resident/orders/${order.orderId}`,
    at,
  );
}

/** A resident's: a refund of their order went through. */
export function refundNotice(order: Order, refund: RefundImage, site: string, at: string): Notice {
  // What was refunded: the refunded lines when the refund names them, else the order's goods.
  const lines = refund.lines?.length ? order.items.filter((l) => refund.lines!.some((r) => r.productId === l.productId)) : order.items;
  return notice(
    `refund:${order.orderId}:${refund.refundId}`,
    'refunded',
    { goods: goodsOf(lines.map((l) => l.name)), amount: yuan(refund.amountFen), reason: refundReasonText(refund) },
    { phone: order.contactPhone, userId: order.userId },
    `${site}/resident/orders/${order.orderId}`,
    at,
  );
}

/** A resident's: a day before an uncollected order is refunded (`refundOn`: the date it will be). */
export function uncollectedSoonNotice(order: Order, refundOn: string, site: string, at: string): Notice {
  return notice(
    `uncollected-soon:${order.orderId}`,
    'uncollected_soon',
    { goods: goodsOf(goodsStillDue(order).map((l) => l.name)), code: order.pickupCode!, deadline: monthDay(refundOn) },
    { phone: order.contactPhone, userId: order.userId },
    `${site}/resident/orders/${order.orderId}`,
    at,
  );
}

/** A leader's: the application was decided (once: a reinstatement after a suspension is not a decision). */
export function leaderDecisionNotice(leader: LeaderImage, site: string, at: string): Notice {
  const approved = leader.status === 'active';
  return notice(
    `leader-decision:${leader.leaderId}`,
    approved ? 'leader_approved' : 'leader_rejected',
    approved ? {} : { reason: clip(leader.statusReason ?? '未说明', VALUE_LIMITS.reason!) },
    { phone: leader.phone, userId: leader.userId },
    `${site}/leader`,
    at,
  );
}

/** A leader's: a payout was paid, or held for review. */
export function payoutNotice(payout: PayoutImage, leader: Pick<Leader, 'phone' | 'userId'>, site: string, at: string): Notice {
  const paid = payout.status === 'paid';
  return notice(
    `payout-${paid ? 'paid' : 'held'}:${payout.payoutId}`,
    paid ? 'payout_paid' : 'payout_held',
    { amount: yuan(payout.amountFen) },
    { phone: leader.phone, userId: leader.userId },
    `${site}/leader`,
    at,
  );
}

/**
 * A supplier member's: a revision of a purchase order (revision 1: issued). The numbers are filled in when
 * it is sent, from the document as it is then (a burst of revisions is told once, with the latest).
 */
export function purchaseOrderNotice(po: PurchaseOrderImage, phone: string, userId: string | undefined, site: string, at: string): Notice {
  const template: TemplateName = po.part > 1 ? 'po_supplement' : po.revision === 1 ? 'po_issued' : 'po_revised';
  return notice(
    `po:${po.purchaseOrderId}:r${po.revision}:${phone}`,
    template,
    {
      poId: po.purchaseOrderId,
      supplierId: po.supplierId,
      deliveryDate: po.deliveryDate,
      part: String(po.part),
      revision: String(po.revision),
      date: monthDay(po.deliveryDate),
    },
    { phone, ...(userId ? { userId } : {}) },
    `${site}/supplier?date=${po.deliveryDate}`,
    at,
  );
}

// ---------------------------------------------------------------------------------------------------
// The changes that cause messages, read leniently: only the fields a message needs, as their entities define
// them, and a status as free text, so that other work on these entities (new statuses, new fields) does not
// break the notifications.

const RefundImageSchema = RefundSchema.pick({ refundId: true, orderId: true, amountFen: true, reason: true }).extend({
  type: z.literal('REFUND'),
  status: z.string(),
  lines: z.array(z.object({ productId: z.string() })).optional(),
});
export type RefundImage = z.infer<typeof RefundImageSchema>;

const LeaderImageSchema = LeaderSchema.pick({ leaderId: true, userId: true, phone: true, statusReason: true }).extend({
  type: z.literal('LEADER'),
  status: z.string(),
});
export type LeaderImage = z.infer<typeof LeaderImageSchema>;

const PayoutImageSchema = PayoutSchema.pick({ payoutId: true, leaderId: true, amountFen: true }).extend({
  type: z.literal('PAYOUT'),
  status: z.string(),
});
export type PayoutImage = z.infer<typeof PayoutImageSchema>;

const PurchaseOrderImageSchema = PurchaseOrderSchema.pick({
  purchaseOrderId: true,
  supplierId: true,
  deliveryDate: true,
  part: true,
  revision: true,
}).extend({ type: z.literal('PURCHASE_ORDER') });
export type PurchaseOrderImage = z.infer<typeof PurchaseOrderImageSchema>;

/** Writes the notices a change causes; returns how many were new. */
export async function planNotices(deps: PlanningDeps, change: ChangeRecord): Promise<number> {
  const image = change.newImage;
  if (!image || change.eventName === 'REMOVE') return 0;
  // A rewrite that did not change what a message is about (a leader's other fields, an acknowledged
  // purchase order) causes nothing; without the old image the notice's id still makes it once.
  const old = change.oldImage;
  if (old && (image.type === 'PURCHASE_ORDER' ? old.revision === image.revision : old.status === image.status)) return 0;
  const at = deps.clock.now().toISOString();
  const planned: Notice[] = [];

  switch (image.type) {
    case 'REFUND': {
      // Told when the money went back (the provider confirmed it), not when it was asked for.
      const refund = RefundImageSchema.parse(image);
      if (refund.status !== 'succeeded') break;
      const order = await deps.orders.get(refund.orderId);
      if (order) planned.push(refundNotice(order, refund, deps.site, at));
      break;
    }
    case 'LEADER': {
      // Approved or rejected: the first time either is seen is the decision (the id makes it once).
      const leader = LeaderImageSchema.parse(image);
      if (leader.status === 'active' || leader.status === 'rejected') planned.push(leaderDecisionNotice(leader, deps.site, at));
      break;
    }
    case 'PAYOUT': {
      const payout = PayoutImageSchema.parse(image);
      if (payout.status !== 'paid' && payout.status !== 'held') break;
      const leader = await deps.leaders.get(payout.leaderId);
      if (leader) planned.push(payoutNotice(payout, leader, deps.site, at));
      break;
    }
    case 'PURCHASE_ORDER': {
      // Each revision once (an acknowledgement or a shipment rewrites the document at the same revision).
      const po = PurchaseOrderImageSchema.parse(image);
      for (const phone of await deps.suppliers.phonesOf(po.supplierId)) {
        planned.push(purchaseOrderNotice(po, phone, await deps.people.userIdByPhone(phone), deps.site, at));
      }
      break;
    }
  }
  let written = 0;
  for (const n of planned) if (await deps.notices.add(n)) written++;
  return written;
}
