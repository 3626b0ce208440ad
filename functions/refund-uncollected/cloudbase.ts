// The uncollected-orders job on Tencent CloudBase: a timer trigger (cloudbaserc.json, hourly) runs the AWS
// schedule's job (refunds, then the day-before reminders) on the CloudBase stores that lib/orders/wiring.ts and
// lib/notifications/wiring.ts pick there, with CloudBase's context made Lambda-shaped.
import { timerFunction } from '../../lib/runtime/cloudbase-http';
import { main as job } from './handler';

export const main = timerFunction(job);
