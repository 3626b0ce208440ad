// Production wiring of the health check: one consistent-enough read of a fixed key of the table.
import { dynamoStoreProbe } from '../store/health';
import type { HealthDeps } from './health';

export const healthDeps = (): HealthDeps => ({ store: dynamoStoreProbe() });
