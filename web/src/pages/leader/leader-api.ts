// What the leader's pages share: the client, and the group buys opened on this device (the API has no
// list of a leader's group buys yet; the share link is only returned when one opens).
export { api, ApiError, describeError, type LeaderView } from '../../api/client';

export interface OpenedGroupBuyRef {
  groupBuyId: string;
  title: string;
  shareUrl: string;
  shareToken: string;
  pickupDate: string;
}

const KEY = 'tuangou.leader.groupBuys';
export const openedHere = (): OpenedGroupBuyRef[] => JSON.parse(localStorage.getItem(KEY) ?? '[]');
export function rememberOpened(g: OpenedGroupBuyRef) {
  localStorage.setItem(KEY, JSON.stringify([g, ...openedHere().filter((x) => x.groupBuyId !== g.groupBuyId)].slice(0, 30)));
}
