// Production wiring of the health check: one read of a key (DynamoDB) or a document (CloudBase) that never
// holds anything, on the configured data store.
import { cloudbaseStoreProbe } from '../adapters/cloudbase/health';
import { onCloudBase } from '../runtime/config';
import { dynamoStoreProbe } from '../store/health';
import type { HealthDeps } from './health';

export const healthDeps = (): HealthDeps => ({ store: onCloudBase() ? cloudbaseStoreProbe() : dynamoStoreProbe() });
