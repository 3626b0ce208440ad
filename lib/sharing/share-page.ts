// The resident's page behind a share link: the web app's HTML shell, with the group buy's title put in
// the head so that WeChat's link preview (which reads <title>, og:title and og:description) shows it.
import { chineseDate } from './share-text';

export interface SharePageContent {
  title: string;
  pickupPointName: string;
  pickupDate: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** True when the client asks for HTML rather than JSON (a browser opening the link; not an API client). */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const quality = (type: string) => {
    let best = -1;
    for (const part of accept.split(',')) {
      const [media, ...params] = part.trim().toLowerCase().split(';');
      if (media !== type) continue;
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      best = Math.max(best, q ? Number(q.slice(2)) : 1);
    }
    return best;
  };
  const html = quality('text/html');
  return html > 0 && html >= quality('application/json');
}

/** The shell with the page's own title and preview tags; `content` undefined for a link that is not valid. */
export function sharePageHtml(shell: string, content: SharePageContent | undefined): string {
  const title = content ? `${content.title} · ${content.pickupPointName}` : '团购链接无效';
  const description = content
    ? `${content.pickupPointName} 自提，${chineseDate(content.pickupDate)} 提货。点开即可下单。`
    : '这个团购链接无效或已过期。';
  const meta = [
    `<title>${escapeHtml(title)}</title>`,
    `<meta name="description" content="${escapeHtml(description)}">`,
    `<meta property="og:title" content="${escapeHtml(title)}">`,
    `<meta property="og:description" content="${escapeHtml(description)}">`,
  ].join('\n    ');
  return shell.replace(/<title>[\s\S]*?<\/title>/, meta);
}
