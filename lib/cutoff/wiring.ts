import { systemClock } from '../runtime/clock';
import { dynamoCutoffStore } from '../store/cutoff';
import { dynamoOrderStore } from '../store/orders';
import type { CutoffDeps } from './cutoff';

export const cutoffDeps = (): CutoffDeps => ({ cutoff: dynamoCutoffStore(), orders: dynamoOrderStore(), clock: systemClock });
