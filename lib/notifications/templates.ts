// The messages, in Chinese, one place for each: its text (what the person reads, and what the sandboxes
// keep), the order of its SMS template's variables ({1}, {2}, … in the template approved at Tencent Cloud
// SMS), and the keywords of its WeChat subscribe-message template. Texts are short enough for one SMS
// segment with the signature (70 characters in all) whatever the values, links aside; values are
// clipped to what both channels accept. No more personal data than the person needs: no names, no
// phone numbers, no addresses; the pickup code only to the resident who owns it.
import type { TemplateName } from '../../schemas/notifications';

/** The values of a message, already formatted (see the helpers below). */
export type Params = Record<string, string>;

export interface TemplateSpec {
  /** API.md: pickup codes and refund notices reach the person by one channel whatever their settings. */
  essential: boolean;
  /** The text, `{name}` for a value; `{site}` is the platform's address (a constant of the approved SMS template). */
  text: string;
  /** The values in the SMS template's order ({1}, {2}, …): TemplateParamSet. */
  smsParams: readonly string[];
  /** The WeChat template's keywords (`thing1`, `amount2`, …) and their values. */
  wechat: (p: Params) => Record<string, string>;
}

/**
 * The longest a value may be, in characters: a Tencent SMS variable must be approved for its length
 * (README: the templates), and a WeChat `thing` holds at most 20 characters, a `phrase` 5 Chinese ones.
 */
export const VALUE_LIMITS: Record<string, number> = {
  point: 12,
  goods: 10,
  code: 6,
  amount: 10,
  date: 6,
  deadline: 6,
  kinds: 4,
  reason: 20,
};

export const TEMPLATE_SPECS: Record<TemplateName, TemplateSpec> = {
  // A resident, when the leader confirms the goods arrived (到货).
  pickup_ready: {
    essential: true,
    text: '您在{point}的团购商品已到货，取货码{code}，请凭码到自提点领取。',
    smsParams: ['point', 'code'],
    wechat: (p) => ({ thing1: p.point!, character_string2: p.code!, thing3: '商品已到货，请凭取货码领取' }),
  },
  // A resident, when a refund of their order has gone through.
  refunded: {
    essential: true,
    text: '您购买的{goods}已退款{amount}元，原因：{reason}。款项将原路退回。',
    smsParams: ['goods', 'amount', 'reason'],
    wechat: (p) => ({ thing1: p.goods!, amount2: `${p.amount}元`, thing3: p.reason! }),
  },
  // A resident, a day before an order nobody collected is refunded (the uncollected-refund job's hook).
  uncollected_soon: {
    essential: true,
    text: '您购买的{goods}还未领取（取货码{code}），{deadline}前未取将自动退款。',
    smsParams: ['goods', 'code', 'deadline'],
    wechat: (p) => ({ thing1: p.goods!, character_string2: p.code!, date3: p.deadline!, thing4: '逾期未取将自动退款' }),
  },
  // A supplier's members: a purchase order is issued; changed later; changed after it shipped.
  po_issued: {
    essential: false,
    text: '新采购单：{date}送达，{kinds}种商品，货款{amount}元。详情：{site}/supplier',
    smsParams: ['date', 'kinds', 'amount'],
    wechat: (p) => ({ date1: p.date!, thing2: `${p.kinds}种商品`, amount3: `${p.amount}元`, thing4: '新采购单，请确认' }),
  },
  po_revised: {
    essential: false,
    text: '采购单有变更：{date}送达，现{kinds}种商品，货款{amount}元。详情：{site}/supplier',
    smsParams: ['date', 'kinds', 'amount'],
    wechat: (p) => ({ date1: p.date!, thing2: `${p.kinds}种商品`, amount3: `${p.amount}元`, thing4: '采购单有变更，请重新确认' }),
  },
  po_supplement: {
    essential: false,
    text: '{date}送达的采购单发货后有变更，已生成补充采购单。详情：{site}/supplier',
    smsParams: ['date'],
    wechat: (p) => ({ date1: p.date!, thing2: '发货后有变更', thing4: '已生成补充采购单，请查看' }),
  },
  // A leader: the application is decided.
  leader_approved: {
    essential: false,
    text: '恭喜，您的团长申请已通过，现在就可以开团了：{site}/leader',
    smsParams: [],
    wechat: () => ({ phrase1: '已通过', thing2: '现在就可以开团了' }),
  },
  leader_rejected: {
    essential: false,
    text: '很抱歉，您的团长申请未通过，原因：{reason}。',
    smsParams: ['reason'],
    wechat: (p) => ({ phrase1: '未通过', thing2: p.reason! }),
  },
  // A leader: a payout is paid, or held for an operator's review (risk holds).
  payout_paid: {
    essential: false,
    text: '您的佣金{amount}元已发放，请在微信零钱中查收。',
    smsParams: ['amount'],
    wechat: (p) => ({ amount1: `${p.amount}元`, phrase2: '已发放', thing3: '请在微信零钱中查收' }),
  },
  payout_held: {
    essential: false,
    text: '您本期佣金{amount}元需人工复核，复核通过后发放。',
    smsParams: ['amount'],
    wechat: (p) => ({ amount1: `${p.amount}元`, phrase2: '待复核', thing3: '复核通过后发放' }),
  },
};

/** The text the person reads. Throws on a value the template needs and was not given. */
export function renderText(template: TemplateName, params: Params, site: string): string {
  return TEMPLATE_SPECS[template].text.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (name === 'site') return site;
    const value = params[name];
    if (value === undefined) throw new Error(`Template ${template} needs "${name}"`);
    return value;
  });
}

/** TemplateParamSet of the message's SMS template, in its order. */
export const smsParamsOf = (template: TemplateName, params: Params) => TEMPLATE_SPECS[template].smsParams.map((name) => params[name]!);

/** `data` of the WeChat subscribe message: `{thing1: {value}}`, … */
export function wechatDataOf(template: TemplateName, params: Params): Record<string, { value: string }> {
  return Object.fromEntries(Object.entries(TEMPLATE_SPECS[template].wechat(params)).map(([k, value]) => [k, { value }]));
}

// ---------------------------------------------------------------------------------------------------
// Formatting values

/** At most `max` characters (by code point), the last one `…` when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text.trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/** Integer fen as yuan with two decimals: 1250 → "12.50" (no floating point). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `2026-12-01` → `12月1日`. */
export function monthDay(date: string): string {
  const [, m, d] = date.split('-').map(Number);
  return `${m}月${d}日`;
}

/** What an order is, in a few characters: its first product, `等` when there are more. */
export function goodsOf(names: string[]): string {
  if (names.length === 0) return '商品';
  return names.length === 1 ? clip(names[0]!, VALUE_LIMITS.goods!) : `${clip(names[0]!, VALUE_LIMITS.goods! - 1)}等`;
}

/**
 * A refund's reason in words a resident understands: the platform's own refunds by their cause (their
 * ids and reasons are set by the code that makes them), anything typed by a person as typed, clipped.
 */
export function refundReasonText(refund: { refundId: string; reason: string }): string {
  const reason = refund.reason.trim();
  if (refund.refundId.endsWith('-cancel') || reason === 'cancelled by resident') return '订单已取消';
  if (refund.refundId.endsWith('-group-failed') || reason === 'group below its minimum') return '未达成团人数';
  if (refund.refundId.startsWith('unapplied-')) return '订单已失效';
  if (/^uncollected$/i.test(reason)) return '超时未取货';
  if (/^shortfall\b/i.test(reason) || refund.refundId.includes('shortfall')) return '供应商缺货';
  return clip(reason || '售后退款', VALUE_LIMITS.reason!);
}
