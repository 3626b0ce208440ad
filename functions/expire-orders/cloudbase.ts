// The expiry job on Tencent CloudBase: a timer trigger (cloudbaserc.json, every minute) runs the same entry
// as the AWS schedule, with CloudBase's context made Lambda-shaped (the job stops 5 s before its time limit).
import { timerFunction } from '../../lib/runtime/cloudbase-http';
import { main as job } from './handler';

export const main = timerFunction(job);
