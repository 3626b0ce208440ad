// Sharing a group buy: the poster behind a share link (public) and the group text for its leader.
import type { GroupBuy } from '../../schemas/group-buys';
import type { GroupBuyDeps } from '../group-buys/group-buys';
import { resolveShareToken, shareTokenFor } from '../group-buys/group-buys';
import type { LeaderStore } from '../leaders/leaders';
import type { Principal } from '../runtime/auth';
import { forbidden, notFound } from '../runtime/errors';
import type { PosterFont } from './glyphs';
import { renderPoster } from './poster';
import type { ShareContent } from './share-text';
import { shareText } from './share-text';

export interface SharingDeps extends Pick<GroupBuyDeps, 'groupBuys' | 'shareKey' | 'publicUrl' | 'clock'> {
  leaders: Pick<LeaderStore, 'getByUser'>;
  font: () => PosterFont;
}

const contentOf = (groupBuy: GroupBuy): ShareContent => ({
  title: groupBuy.title,
  cutoffAt: groupBuy.cutoffAt,
  pickupDate: groupBuy.pickupDate,
  pickupPoint: groupBuy.pickupPoint,
  items: groupBuy.items,
});

/** The poster PNG of the group buy a share token names; the QR code carries the link it was reached by. */
export async function posterFor(deps: SharingDeps, shareToken: string): Promise<Buffer> {
  const { groupBuy } = await resolveShareToken(deps, shareToken);
  return renderPoster(deps.font(), contentOf(groupBuy), `${deps.publicUrl}/share/${shareToken}`);
}

/** The 接龙 text of a group buy, for the leader who opened it (the link credits that leader). */
export async function shareTextFor(deps: SharingDeps, principal: Principal, groupBuyId: string): Promise<string> {
  const groupBuy = await deps.groupBuys.get(groupBuyId);
  if (!groupBuy) throw notFound('Group buy');
  const leader = await deps.leaders.getByUser(principal.userId);
  if (!leader || leader.leaderId !== groupBuy.leaderId) throw forbidden('Only the leader of this group buy may share its text');
  return shareText(contentOf(groupBuy), shareTokenFor(deps, groupBuy).shareUrl);
}
