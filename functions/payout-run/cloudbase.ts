// The weekly payout run on Tencent CloudBase: a timer trigger (cloudbaserc.json, Monday 10:00 UTC+8, as
// serverless.yml's schedule in Asia/Shanghai) runs the AWS entry on the CloudBase stores. One run at a time
// (the run lease); a run cut short by the time limit is resumed by the next one.
import { timerFunction } from '../../lib/runtime/cloudbase-http';
import { main as job } from './handler';

export const main = timerFunction(job);
