import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { User } from '../users/model.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { conflictError, invalid } from '../errors.js';
import { endGrants } from '../tokens/grants.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

/** What turning enforcement on ends: password-grant refresh tokens (and their access tokens) and password sessions. */
export type EnforcementKinds =
  'identityProviders' | 'users' | 'refreshTokens' | 'replay' | 'sessions' | 'changes' | AuditKinds;

/**
 * Who may still use a password while the tenant enforces SSO: the accounts the platform
 * administrator named (console and password grant), and platform administrators in the console
 * only (a tenant setting must never lock the platform out; their programs use personal clients).
 */
export const exemptFromSso = (user: Pick<User, 'platformAdmin' | 'breakGlass'>, via: 'console' | 'password_grant') =>
  !!user.breakGlass || (user.platformAdmin && via === 'console');

async function exemptUserIds(
  tx: UnitOfWork<'users'>,
  tenantId: string,
  via: 'console' | 'password_grant',
): Promise<string[]> {
  const candidates = [
    ...(await tx.users.breakGlass(tenantId)),
    ...(via === 'console' ? await tx.users.platformAdmins(tenantId) : []),
  ];
  return [...new Set(candidates.filter((u) => exemptFromSso(u, via)).map((u) => u.id))];
}

/**
 * Called inside the transaction that turns enforcement on: refused unless an enabled provider
 * exists; ends every password-grant refresh token (only the password grant issues tokens that act
 * for a user and can be refreshed) and password console session, but the exempt accounts'.
 */
export async function applySsoEnforcement(
  tx: UnitOfWork<EnforcementKinds>,
  tenant: Tenant,
  actor: Actor,
  now = Date.now(),
): Promise<void> {
  const enabled = (await tx.identityProviders.list(tenant.id)).filter((p) => p.enabled);
  if (enabled.length === 0) {
    throw conflictError(
      'single sign-on can be enforced only while an identity provider is enabled: add one under identity providers first',
      'no_identity_provider',
    );
  }
  const breakGlass = await exemptUserIds(tx, tenant.id, 'password_grant');
  const families = await tx.refreshTokens.revokeUserTokensExcept(tenant.id, breakGlass, now);
  await endGrants(tx, tenant.id, families, now);
  const sessions = await tx.sessions.deletePasswordSessions(tenant.id, await exemptUserIds(tx, tenant.id, 'console'));
  // Cached principals carry nothing of this, but their sessions went: principals are re-read.
  tx.changes.record({ type: 'principal.changed', tenantId: tenant.id });
  await recordAudit(tx, {
    tenantId: tenant.id,
    ...auditActor(actor),
    action: 'sso.enforced',
    targetType: 'tenant',
    targetId: tenant.id,
    details: {
      refreshTokenGrantsEnded: families.length,
      passwordSessionsEnded: sessions,
      breakGlassAccounts: breakGlass.length,
    },
  });
}

/** The platform administrator names a tenant's break-glass accounts (emails of its users), replacing the list. */
export async function setBreakGlassAccounts(
  tx: UnitOfWork<'users' | 'changes' | AuditKinds>,
  tenant: Tenant,
  emails: string[],
  actor: Actor,
): Promise<void> {
  const ids: string[] = [];
  for (const raw of new Set(emails.map((e) => e.trim().toLowerCase()))) {
    const user = await tx.users.byEmail(tenant.id, raw);
    if (!user) throw invalid(`breakGlassAccounts: ${raw} is not a user of tenant "${tenant.slug}"`);
    ids.push(user.id);
  }
  await tx.users.setBreakGlass(tenant.id, ids);
  for (const id of ids) tx.changes.record({ type: 'principal.changed', tenantId: tenant.id, userId: id });
  tx.changes.record({ type: 'principal.changed', tenantId: tenant.id });
  await recordAudit(tx, {
    tenantId: tenant.id,
    ...auditActor(actor),
    action: 'sso.break_glass_set',
    targetType: 'tenant',
    targetId: tenant.id,
    details: { accounts: [...new Set(emails.map((e) => e.trim().toLowerCase()))].sort() },
  });
}
