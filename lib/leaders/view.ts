// The leader record as the API shows it (`GET /leaders/me`, the operators' list, `GET /me`).
import type { Leader } from '../../schemas/leaders';

export const leaderView = (l: Leader) => ({
  leaderId: l.leaderId,
  status: l.status,
  name: l.name,
  phone: l.phone,
  pickupPoint: l.pickupPoint,
  referralCode: l.referralCode,
  referredBy: l.referredBy ?? null,
  ...(l.statusReason ? { statusReason: l.statusReason } : {}),
  createdAt: l.createdAt,
  ...(l.approvedAt ? { approvedAt: l.approvedAt } : {}),
});
