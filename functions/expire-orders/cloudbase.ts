// The expiry job on Tencent CloudBase: a timer trigger (cloudbaserc.json, every minute) runs the same entry
// as the AWS schedule, with CloudBase's context made Lambda-shaped (the job stops 5 s before its time limit).
import { lambdaContextOf, type CloudBaseContext } from '../../lib/runtime/cloudbase-http';
import { main as job } from './handler';

/** What a CloudBase timer trigger passes (SCF's timer event). */
export interface CloudBaseTimerEvent {
  Type: 'Timer';
  TriggerName: string;
  Time: string;
  Message?: string;
}

export const main = (event: CloudBaseTimerEvent, context?: CloudBaseContext) =>
  job(event, lambdaContextOf(context, context?.request_id ?? ''));
