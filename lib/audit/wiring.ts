// Production wiring of the audit trail's reader, on the configured data store.
import { cloudbaseAuditTrail } from '../adapters/cloudbase/audit';
import { onCloudBase } from '../runtime/config';
import { auditTrail } from '../store/audit';
import type { AuditDeps } from './audit';

export const auditDeps = (): AuditDeps => ({
  audit: { trail: (entityId) => (onCloudBase() ? cloudbaseAuditTrail(entityId) : auditTrail(entityId)) },
});
