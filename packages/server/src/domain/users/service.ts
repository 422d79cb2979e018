import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import { normaliseEmail, type User, type UserStatus } from './model.js';
import type { Role } from '../roles/model.js';
import { CLIENT_CREATOR, DOMAIN_MANAGER } from '../roles/model.js';
import { hashPassword } from '../../crypto/passwords.js';
import { conflictError, interactiveSignInRequired, invalid, notFoundError } from '../errors.js';
import type { Client } from '../clients/model.js';
import { revokeAllOfOwner } from '../clients/personal.js';
import { endGrants } from '../tokens/grants.js';
import { auditActor, viaClientCredential, type Actor } from '../audit/actor.js';
import { checkName } from '../names.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import type { AuditAction } from '../audit/actions.js';

export type { Actor } from '../audit/actor.js';

/**
 * What changing a user touches: users and their roles, and what a disabled account or a new
 * password ends (sessions, refresh tokens and their grants, personal clients on role loss).
 */
export type UserKinds =
  'users' | 'roles' | 'sessions' | 'refreshTokens' | 'replay' | 'clients' | 'changes' | AuditKinds;

export interface NewUser {
  email: string;
  displayName: string;
  password?: string;
  roleIds?: string[];
  platformAdmin?: boolean;
}

export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 12;

async function resolveRoles(store: UnitOfWork<'roles'>, tenantId: string, roleIds: string[]): Promise<Role[]> {
  const unique = [...new Set(roleIds)];
  const roles: Role[] = [];
  for (const id of unique) {
    const role = await store.roles.byId(tenantId, id);
    if (!role) throw invalid(`role ${id} does not exist in this tenant`);
    roles.push(role);
  }
  return roles;
}

/**
 * Who is a domain manager is a trust anchor: a domain manager without a password is an account any
 * of the domain's identity providers signs in, so only an interactive sign-in may make one.
 */
function refuseManagerGrantByCredential(before: Role[], after: Role[], actor: Actor): void {
  const grants = after.some((r) => r.builtin === DOMAIN_MANAGER) && !before.some((r) => r.builtin === DOMAIN_MANAGER);
  if (grants && viaClientCredential(actor)) throw interactiveSignInRequired('granting the domain-manager role');
}

export async function createUser(
  store: UnitOfWork<'users' | 'roles' | 'changes' | AuditKinds>,
  tenant: Tenant,
  input: NewUser,
  actor: Actor,
): Promise<User> {
  const email = normaliseEmail(input.email);
  if (!EMAIL_PATTERN.test(email)) throw invalid('email is not a valid address');
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const now = Date.now();
  const user: User = {
    id: randomUUID(),
    tenantId: tenant.id,
    email,
    displayName: input.displayName.trim() ? checkName(input.displayName, 200, 'displayName') : email,
    status: 'active',
    passwordHash,
    platformAdmin: input.platformAdmin ?? false,
    createdAt: now,
    updatedAt: now,
  };
  return store.transaction(async (tx) => {
    if (await tx.users.byEmail(tenant.id, email)) throw conflictError(`a user with email ${email} already exists`);
    const roles = await resolveRoles(tx, tenant.id, input.roleIds ?? []);
    refuseManagerGrantByCredential([], roles, actor);
    await tx.users.insert(user);
    tx.changes.record({ type: 'principal.changed', tenantId: tenant.id, userId: user.id });
    await tx.roles.setUserRoles(
      tenant.id,
      user.id,
      roles.map((r) => r.id),
    );
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'user.invited',
      targetType: 'user',
      targetId: user.id,
      details: { email, roles: roles.map((r) => r.name) },
    });
    if (roles.some((r) => r.builtin === CLIENT_CREATOR)) {
      await recordAudit(tx, {
        tenantId: tenant.id,
        ...auditActor(actor),
        action: 'user.role_granted',
        targetType: 'user',
        targetId: user.id,
        details: { role: CLIENT_CREATOR },
      });
    }
    return user;
  });
}

export interface UserPatch {
  displayName?: string;
  status?: UserStatus;
  roleIds?: string[];
  password?: string;
}

export interface UserChange {
  user: User;
  rolesBefore: Role[];
  rolesAfter: Role[];
  /** Personal clients revoked because the user lost the creator role (tenant policy). */
  revokedClients: Client[];
}

/** Updates status, name, password or roles in one transaction and records every change in the audit log. */
export async function updateUser(
  store: UnitOfWork<UserKinds>,
  tenant: Tenant,
  userId: string,
  patch: UserPatch,
  actor: Actor,
): Promise<UserChange> {
  if (patch.password !== undefined && patch.password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const displayName = patch.displayName === undefined ? undefined : checkName(patch.displayName, 200, 'displayName');
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  return store.transaction(async (tx) => {
    const user = await tx.users.byId(tenant.id, userId);
    if (!user) throw notFoundError(`user ${userId} not found`);
    const rolesBefore = await tx.roles.forUser(tenant.id, userId);
    let rolesAfter = rolesBefore;
    await tx.users.update(tenant.id, userId, { displayName, status: patch.status, passwordHash });
    tx.changes.record({ type: 'principal.changed', tenantId: tenant.id, userId });
    const audit = (action: AuditAction, details: Record<string, unknown>) =>
      recordAudit(tx, {
        tenantId: tenant.id,
        ...auditActor(actor),
        action,
        targetType: 'user',
        targetId: userId,
        details,
      });
    const disabling = patch.status === 'disabled' && user.status !== 'disabled';
    if (patch.status !== undefined && patch.status !== user.status)
      await audit(disabling ? 'user.disabled' : 'user.enabled', {});
    if (passwordHash !== undefined) await audit('user.password_changed', {});
    // A changed password or a disabled account ends every console session and every grant that
    // acts for the user (re-enabling revives none of them); personal clients are credentials of
    // their own and only pause while the owner is disabled.
    if (disabling || passwordHash !== undefined) {
      await tx.sessions.deleteForUser(userId);
      const now = Date.now();
      await endGrants(tx, tenant.id, await tx.refreshTokens.revokeForUser(tenant.id, userId, now), now);
    }
    if (patch.roleIds !== undefined) {
      rolesAfter = await resolveRoles(tx, tenant.id, patch.roleIds);
      refuseManagerGrantByCredential(rolesBefore, rolesAfter, actor);
      await tx.roles.setUserRoles(
        tenant.id,
        userId,
        rolesAfter.map((r) => r.id),
      );
      const before = new Set(rolesBefore.map((r) => r.id));
      const after = new Set(rolesAfter.map((r) => r.id));
      for (const r of rolesAfter) if (!before.has(r.id)) await audit('user.role_granted', { role: r.name });
      for (const r of rolesBefore) if (!after.has(r.id)) await audit('user.role_revoked', { role: r.name });
    }
    const lostCreator =
      rolesBefore.some((r) => r.builtin === CLIENT_CREATOR) && !rolesAfter.some((r) => r.builtin === CLIENT_CREATOR);
    const revokedClients =
      lostCreator && tenant.revokeClientsOnRoleLoss
        ? await revokeAllOfOwner(tx, tenant, userId, 'owner lost the client-creator role')
        : [];
    const updated = (await tx.users.byId(tenant.id, userId))!;
    return { user: updated, rolesBefore, rolesAfter, revokedClients };
  });
}
