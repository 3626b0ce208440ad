// Production wiring of the audit trail's reader, on the configured data store.
import { cloudbaseAuditTrail } from '../adapters/cloudbase/audit';
import { config } from '../runtime/config';
import { auditTrail } from '../store/audit';
import type { AuditDeps } from './audit';

export const auditDeps = (): AuditDeps => ({
  audit: { trail: (entityId) => (config.dataStore === 'cloudbase' ? cloudbaseAuditTrail(entityId) : auditTrail(entityId)) },
});
