// The cutoff on Tencent CloudBase: its one timer trigger (cloudbaserc.json, every minute; CloudBase allows one
// per function, and the 23:00 run of it is the nightly net AWS schedules apart) runs the AWS entry, with
// CloudBase's context made Lambda-shaped: a run looks ahead for the cutoffs of the coming 40 s (60 s limit).
import { timerFunction } from '../../lib/runtime/cloudbase-http';
import { main as job } from './handler';

export const main = timerFunction(job);
