import type { UnitOfWork } from '../ports.js';
import { SETTINGS_LIMITS, type Tenant, type TenantSettings } from './model.js';
import { interactiveSignInRequired, invalid } from '../errors.js';
import { auditActor, viaClientCredential, type Actor } from '../audit/actor.js';
import { applySsoEnforcement } from '../sso/enforce.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

/** What a settings change touches: the tenant, its signing keys' lifetimes, and, when SSO enforcement turns on, the grants and sessions it ends. */
export type SettingsKinds =
  | 'tenants'
  | 'signingKeys'
  | 'identityProviders'
  | 'users'
  | 'refreshTokens'
  | 'replay'
  | 'sessions'
  | 'changes'
  | AuditKinds;

export function settingsOf(t: Tenant): TenantSettings {
  return {
    ssoEnforced: t.ssoEnforced,
    signingCertificatePublic: t.signingCertificatePublic,
    accessTokenTtlSeconds: t.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: t.refreshTokenTtlSeconds,
    personalClientMaxDays: t.personalClientMaxDays,
    refreshTokenGraceSeconds: t.refreshTokenGraceSeconds,
    revokeClientsOnRoleLoss: t.revokeClientsOnRoleLoss,
    auditRetentionDays: t.auditRetentionDays,
  };
}

/** Applies a domain manager's settings change; the audit event lists each changed field as {from, to}. */
export async function updateSettings(
  store: UnitOfWork<SettingsKinds>,
  tenant: Tenant,
  patch: Partial<TenantSettings>,
  actor: Actor,
): Promise<TenantSettings> {
  for (const [key, { min, max }] of Object.entries(SETTINGS_LIMITS)) {
    const v = patch[key as keyof typeof SETTINGS_LIMITS];
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
      throw invalid(`${key} must be an integer from ${min} to ${max}`);
  }
  const before = settingsOf(tenant);
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [key, to] of Object.entries(patch) as [keyof TenantSettings, unknown][]) {
    if (to !== undefined && before[key] !== to) changed[key] = { from: before[key], to };
  }
  const after = {
    ...before,
    ...Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.to])),
  } as TenantSettings;
  if (Object.keys(changed).length === 0) return after;
  if (changed.ssoEnforced && viaClientCredential(actor))
    throw interactiveSignInRequired('turning SSO enforcement on or off');
  await store.transaction(async (tx) => {
    if (changed.ssoEnforced?.to === true) await applySsoEnforcement(tx, tenant, actor);
    await tx.tenants.update(tenant.id, patch);
    // The signing keys remember the longest lifetime they signed under: how long a retired key stays
    // published, and the longest token it verifies.
    if (changed.accessTokenTtlSeconds)
      await tx.signingKeys.raiseTokenTtl(tenant.id, changed.accessTokenTtlSeconds.to as number);
    tx.changes.record({ type: 'tenant.changed', tenantId: tenant.id, slug: tenant.slug });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'settings.updated',
      targetType: 'tenant',
      targetId: tenant.id,
      details: { changed },
    });
  });
  return after;
}

/** A domain's settings, read and changed by its managers. */
export class SettingsService {
  constructor(private readonly store: UnitOfWork<SettingsKinds>) {}

  of(tenant: Tenant): TenantSettings {
    return settingsOf(tenant);
  }

  update(tenant: Tenant, patch: Partial<TenantSettings>, actor: Actor): Promise<TenantSettings> {
    return updateSettings(this.store, tenant, patch, actor);
  }
}
