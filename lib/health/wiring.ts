// Production wiring of the health check: one read of a key (DynamoDB) or a document (CloudBase) that never
// holds anything, on the configured data store.
import { cloudbaseStoreProbe } from '../adapters/cloudbase/health';
import { config } from '../runtime/config';
import { dynamoStoreProbe } from '../store/health';
import type { HealthDeps } from './health';

export const healthDeps = (): HealthDeps => ({ store: config.dataStore === 'cloudbase' ? cloudbaseStoreProbe() : dynamoStoreProbe() });
