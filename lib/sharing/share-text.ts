// What a leader pastes into a WeChat group (接龙): the group buy in plain text, prices in yuan, times in
// Beijing time, and the share link that credits the leader. Pure: the handler passes the view and the link.
import { formatYuan } from '../../schemas/money';
import { toBusinessIso } from '../runtime/time';

export interface ShareContent {
  title: string;
  cutoffAt: string;
  pickupDate: string;
  pickupPoint: { name: string; address: string; community: string };
  items: { name: string; unit: string; groupPriceFen: number; perResidentLimit?: number; remaining?: number }[];
}

/** "2026-12-01" → "12月1日". */
export function chineseDate(date: string): string {
  const [, month, day] = date.split('-');
  return `${Number(month)}月${Number(day)}日`;
}

/** An instant → "11月30日 23:00" in Beijing time. */
export function chineseDateTime(instant: string): string {
  const local = toBusinessIso(instant);
  return `${chineseDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

export function shareText(content: ShareContent, shareUrl: string): string {
  const items = content.items.map((item, i) => {
    const limit = item.perResidentLimit ? `，每人限购${item.perResidentLimit}份` : '';
    return `${i + 1}. ${item.name} ${formatYuan(item.groupPriceFen)}/${item.unit}${limit}`;
  });
  const point = content.pickupPoint;
  return [
    `【接龙】${content.title}`,
    '',
    ...items,
    '',
    `⏰ 截单：${chineseDateTime(content.cutoffAt)}（北京时间）`,
    `📍 自提点：${point.name}（${point.community} ${point.address}）`,
    `📅 提货日期：${chineseDate(content.pickupDate)}`,
    `👉 点链接下单：${shareUrl}`,
    '',
    '接龙请直接在链接里下单，付款后截单第二天凭提货码到自提点取货。',
  ].join('\n');
}
