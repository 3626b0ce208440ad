// Supplier members: an operator names the phones that sign in for a supplier. The role follows the
// phone, evaluated at each sign-in and refresh, so removing a member takes effect at their next refresh.
import type { SupplierMember } from '../../schemas/auth';
import type { CatalogueStore } from '../catalogue/catalogue';
import type { Principal } from '../runtime/auth';
import { requireOperator } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { conflict, notFound } from '../runtime/errors';
import type { MemberStore } from './ports';

export interface MemberDeps {
  members: MemberStore;
  suppliers: Pick<CatalogueStore, 'getSupplier'>;
  clock: Clock;
}

/** Adds a phone to a supplier; adding it again to the same supplier changes nothing. One supplier per phone. */
export async function addSupplierMember(
  deps: MemberDeps,
  principal: Principal,
  supplierId: string,
  phone: string,
): Promise<SupplierMember> {
  requireOperator(principal);
  if (!(await deps.suppliers.getSupplier(supplierId))) throw notFound('Supplier');
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await deps.members.get(phone);
    if (existing) {
      if (existing.supplierId === supplierId) return existing;
      throw conflict('That phone already signs in for another supplier');
    }
    const member: SupplierMember = { supplierId, phone, addedAt: deps.clock.now().toISOString(), addedBy: principal.userId };
    const outcome = await deps.members.add(member, {
      entityId: supplierId,
      entityType: 'supplier',
      action: 'supplier.member_added',
      actor: principal.userId,
      at: member.addedAt,
      after: member,
    });
    if (outcome === 'added') return member;
    // Another operator added this phone meanwhile: judge again by what is stored now.
  }
  throw conflict('That phone was changed meanwhile; try again');
}

export async function removeSupplierMember(deps: MemberDeps, principal: Principal, supplierId: string, phone: string): Promise<void> {
  requireOperator(principal);
  const member = await deps.members.get(phone);
  if (!member || member.supplierId !== supplierId) throw notFound('Member');
  await deps.members.remove(member, {
    entityId: supplierId,
    entityType: 'supplier',
    action: 'supplier.member_removed',
    actor: principal.userId,
    at: deps.clock.now().toISOString(),
    before: member,
  });
}
