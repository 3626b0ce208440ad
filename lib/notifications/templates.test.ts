// The messages' exact texts, and that each fits one SMS segment (70 characters with the 【signature】)
// with the longest values it can be given, links aside.
import type { TemplateName } from '../../schemas/notifications';
import { TEMPLATES } from '../../schemas/notifications';
import {
  clip,
  goodsOf,
  monthDay,
  refundReasonText,
  renderText,
  smsParamsOf,
  TEMPLATE_SPECS,
  VALUE_LIMITS,
  wechatDataOf,
  yuan,
} from './templates';

const site = 'https://tuan.example.cn';

test.each<[TemplateName, Record<string, string>, string]>([
  ['pickup_ready', { point: '芳芳小卖部', code: '482913' }, '您在芳芳小卖部的团购商品已到货，取货码482913，请凭码到自提点领取。'],
  ['refunded', { goods: '土鸡蛋', amount: '3.00', reason: '鸡蛋破损' }, '您购买的土鸡蛋已退款3.00元，原因：鸡蛋破损。款项将原路退回。'],
  [
    'uncollected_soon',
    { goods: '土鸡蛋等', code: '482913', deadline: '12月3日' },
    '您购买的土鸡蛋等还未领取（取货码482913），12月3日前未取将自动退款。',
  ],
  [
    'po_issued',
    { date: '12月2日', kinds: '3', amount: '1280.50' },
    `新采购单：12月2日送达，3种商品，货款1280.50元。详情：${site}/supplier`,
  ],
  [
    'po_revised',
    { date: '12月2日', kinds: '2', amount: '960.00' },
    `采购单有变更：12月2日送达，现2种商品，货款960.00元。详情：${site}/supplier`,
  ],
  ['po_supplement', { date: '12月2日' }, `12月2日送达的采购单发货后有变更，已生成补充采购单。详情：${site}/supplier`],
  ['leader_approved', {}, `恭喜，您的团长申请已通过，现在就可以开团了：${site}/leader`],
  ['leader_rejected', { reason: '自提点地址不详' }, '很抱歉，您的团长申请未通过，原因：自提点地址不详。'],
  ['payout_paid', { amount: '36.90' }, '您的佣金36.90元已发放，请在微信零钱中查收。'],
  ['payout_held', { amount: '36.90' }, '您本期佣金36.90元需人工复核，复核通过后发放。'],
])('%s reads exactly as written', (template, params, text) => {
  expect(renderText(template, params, site)).toBe(text);
});

test('every message fits one SMS segment with its longest values and a six-character signature', () => {
  const longest = Object.fromEntries(Object.entries(VALUE_LIMITS).map(([name, max]) => [name, '字'.repeat(max)]));
  for (const template of TEMPLATES) {
    // The link is a constant of the approved template; what counts against the segment is the rest.
    const text = renderText(template, longest, '').replace(/详情：\/\w+$|：\/leader$/, '');
    expect({ template, length: [...`【芳芳团购】${text}`].length <= 70 }).toEqual({ template, length: true });
  }
});

test('a message without a value it needs is refused rather than sent with a hole', () => {
  expect(() => renderText('pickup_ready', { point: '芳芳小卖部' }, site)).toThrow('needs "code"');
});

test('the SMS template variables and the WeChat keywords carry the same values', () => {
  const params = { goods: '土鸡蛋', amount: '3.00', reason: '鸡蛋破损' };
  expect(smsParamsOf('refunded', params)).toEqual(['土鸡蛋', '3.00', '鸡蛋破损']);
  expect(wechatDataOf('refunded', params)).toEqual({
    thing1: { value: '土鸡蛋' },
    amount2: { value: '3.00元' },
    thing3: { value: '鸡蛋破损' },
  });
  // A WeChat `thing` holds at most 20 characters: every value is clipped below that.
  for (const template of TEMPLATES) {
    const data = wechatDataOf(template, Object.fromEntries(Object.entries(VALUE_LIMITS).map(([n, max]) => [n, '字'.repeat(max)])));
    for (const [key, { value }] of Object.entries(data)) if (key.startsWith('thing')) expect([...value].length).toBeLessThanOrEqual(20);
  }
  expect(Object.keys(TEMPLATE_SPECS).sort()).toEqual([...TEMPLATES].sort());
});

test('values are formatted without floating point and clipped by character', () => {
  expect([yuan(0), yuan(5), yuan(1250), yuan(123456789), yuan(-300)]).toEqual(['0.00', '0.05', '12.50', '1234567.89', '-3.00']);
  expect(monthDay('2026-01-05')).toBe('1月5日');
  expect(clip('芳芳小卖部幸福路一号店铺总店', 12)).toBe('芳芳小卖部幸福路一号店…');
  expect(goodsOf(['特级土鸡蛋三十枚装家庭装'])).toBe('特级土鸡蛋三十枚装…');
  expect(goodsOf(['土鸡蛋', '草莓'])).toBe('土鸡蛋等');
});

test('refund reasons in words a resident understands', () => {
  expect(refundReasonText({ refundId: 'o1-cancel', reason: 'cancelled by resident' })).toBe('订单已取消');
  expect(refundReasonText({ refundId: 'o1-group-failed', reason: 'group below its minimum' })).toBe('未达成团人数');
  expect(refundReasonText({ refundId: 'r1', reason: 'uncollected' })).toBe('超时未取货');
  expect(refundReasonText({ refundId: 'r2', reason: '鸡蛋破损' })).toBe('鸡蛋破损');
  expect(refundReasonText({ refundId: 'r3', reason: '  ' })).toBe('售后退款');
});
