// Production wiring of the audit trail's reader.
import { auditTrail } from '../store/audit';
import type { AuditDeps } from './audit';

export const auditDeps = (): AuditDeps => ({ audit: { trail: (entityId) => auditTrail(entityId) } });
