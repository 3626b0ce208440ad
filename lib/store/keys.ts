// The one key builder: every item's primary key and index keys are made here, and each shape has its
// line in docs/data-model.md saying which query needs it.

export const INDEX = { byGsi1: 'gsi1', byGsi2: 'gsi2', byGsi3: 'gsi3' } as const;

export interface Key {
  pk: string;
  sk: string;
}

export const keys = {
  // Leaders
  leader: (leaderId: string): Key => ({ pk: `LEADER#${leaderId}`, sk: 'PROFILE' }),
  /** gsi1: operators list leaders by status, oldest application first. */
  leadersByStatus: (status: string, createdAt: string, leaderId: string) => ({
    gsi1pk: `LEADERS#${status}`,
    gsi1sk: `${createdAt}#${leaderId}`,
  }),
  leadersByStatusPartition: (status: string) => `LEADERS#${status}`,
  /** One leader record per user: the uniqueness guard and the `GET /leaders/me` lookup. */
  userLeader: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'LEADER' }),
  /** Referral codes are unique: the guard and the lookup of the recruiter. */
  referralCode: (code: string): Key => ({ pk: `REFCODE#${code}`, sk: 'REFCODE' }),

  // Audit trail: every state change of an entity, in time order.
  audit: (entityId: string, at: string, eventId: string): Key => ({ pk: `AUDIT#${entityId}`, sk: `${at}#${eventId}` }),
  auditPartition: (entityId: string) => `AUDIT#${entityId}`,
};
