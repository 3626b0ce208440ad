// Production wiring of the leaders' use-cases: the store the DATA_STORE setting names.
import { cloudbaseLeaderStore } from '../adapters/cloudbase/leaders';
import { randomIds, systemClock } from '../runtime/clock';
import { onCloudBase } from '../runtime/config';
import { dynamoLeaderStore } from '../store/leaders';
import type { LeaderDeps, LeaderStore } from './leaders';

export const leaderStore = (): LeaderStore => (onCloudBase() ? cloudbaseLeaderStore() : dynamoLeaderStore());

export const leaderDeps = (): LeaderDeps => ({ leaders: leaderStore(), clock: systemClock, ids: randomIds });
