// Production wiring of the leaders' use-cases.
import { randomIds, systemClock } from '../runtime/clock';
import { dynamoLeaderStore } from '../store/leaders';
import type { LeaderDeps } from './leaders';

export const leaderDeps = (): LeaderDeps => ({ leaders: dynamoLeaderStore(), clock: systemClock, ids: randomIds });
