// Scheduled (CUTOFF_CRON, default 23:00 Asia/Shanghai): begins closing every open group buy whose cutoff
// has passed and resumes any closing that stalled. The closing itself runs in `closeGroupBuys`.
import { runCutoff } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';

const deps = cutoffDeps();

export const main = async () => {
  const { begun } = await runCutoff(deps);
  return { begun: begun.length };
};
