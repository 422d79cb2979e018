import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { Tenant } from '../tenants/model.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { conflictError, invalid, notFoundError } from '../errors.js';
import type { OutboundGuard } from '../../lib/outbound-guard.js';
import { checkName } from '../names.js';
import { discover } from './discovery.js';
import { secretAad, type IdentityProvider } from './model.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import { redirectUri } from './login.js';

export interface ProviderInput {
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  allowedEmailDomains: string[];
  jitProvisioning?: boolean;
  enabled?: boolean;
}

/** What managing the providers touches: a change of provider ends the sessions it started. */
export type IdentityProviderKinds = 'identityProviders' | 'sessions' | 'changes' | AuditKinds;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function checkFields(p: Partial<ProviderInput>): void {
  // Shown on the sign-in page ("Sign in with …") and written to the audit log: the one name rule.
  if (p.name !== undefined) checkName(p.name, 200);
  if (p.clientId !== undefined && !p.clientId.trim()) throw invalid('clientId must not be empty');
  if (p.clientSecret !== undefined && !p.clientSecret) throw invalid('clientSecret must not be empty');
  if (p.allowedEmailDomains !== undefined) {
    if (p.allowedEmailDomains.length === 0)
      throw invalid('allowedEmailDomains must name at least one domain (e.g. "example.com")');
    for (const d of p.allowedEmailDomains)
      if (!DOMAIN.test(d.trim().toLowerCase())) throw invalid(`allowedEmailDomains: "${d}" is not a domain name`);
  }
}

const domains = (list: string[]) => [...new Set(list.map((d) => d.trim().toLowerCase()))].sort();

/** What the audit log may say about a provider (never its secret). */
const described = (p: IdentityProvider) => ({
  name: p.name,
  issuer: p.issuer,
  clientId: p.clientId,
  allowedEmailDomains: p.allowedEmailDomains,
  jitProvisioning: p.jitProvisioning,
  enabled: p.enabled,
});

export async function createProvider(
  store: UnitOfWork<'identityProviders' | AuditKinds>,
  sealer: Sealer,
  outbound: OutboundGuard,
  tenant: Tenant,
  input: ProviderInput,
  actor: Actor,
): Promise<IdentityProvider> {
  checkFields(input);
  const issuer = input.issuer.trim();
  const config = await discover(outbound, issuer, input.clientId.trim(), input.clientSecret);
  const now = Date.now();
  const id = randomUUID();
  const p: IdentityProvider = {
    id,
    tenantId: tenant.id,
    name: input.name.trim(),
    issuer,
    clientId: input.clientId.trim(),
    clientSecretSealed: sealer.seal(input.clientSecret, secretAad({ tenantId: tenant.id, id })),
    allowedEmailDomains: domains(input.allowedEmailDomains),
    jitProvisioning: input.jitProvisioning ?? false,
    enabled: input.enabled ?? true,
    endSessionEndpoint: config.serverMetadata().end_session_endpoint ?? null,
    createdAt: now,
    updatedAt: now,
  };
  await store.transaction(async (tx) => {
    await tx.identityProviders.insert(p);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'identity_provider.created',
      targetType: 'identity_provider',
      targetId: id,
      details: described(p),
    });
  });
  return p;
}

async function enabledOthers(tx: UnitOfWork<'identityProviders'>, tenantId: string, id: string): Promise<number> {
  return (await tx.identityProviders.list(tenantId)).filter((p) => p.enabled && p.id !== id).length;
}

export async function updateProvider(
  store: UnitOfWork<IdentityProviderKinds>,
  sealer: Sealer,
  outbound: OutboundGuard,
  tenant: Tenant,
  id: string,
  patch: Partial<ProviderInput>,
  actor: Actor,
): Promise<IdentityProvider> {
  checkFields(patch);
  const before = await store.identityProviders.byId(tenant.id, id);
  if (!before) throw notFoundError(`identity provider ${id} does not exist`);
  const issuer = patch.issuer?.trim() ?? before.issuer;
  const clientId = patch.clientId?.trim() ?? before.clientId;
  const secret = patch.clientSecret ?? sealer.open(before.clientSecretSealed, secretAad(before));
  let endSessionEndpoint = before.endSessionEndpoint;
  // A new issuer, client or secret is checked against the provider's discovery document again.
  if (patch.issuer !== undefined || patch.clientId !== undefined || patch.clientSecret !== undefined) {
    endSessionEndpoint =
      (await discover(outbound, issuer, clientId, secret)).serverMetadata().end_session_endpoint ?? null;
  }
  const after: IdentityProvider = {
    ...before,
    issuer,
    clientId,
    endSessionEndpoint,
    name: patch.name?.trim() ?? before.name,
    clientSecretSealed:
      patch.clientSecret !== undefined ? sealer.seal(patch.clientSecret, secretAad(before)) : before.clientSecretSealed,
    allowedEmailDomains: patch.allowedEmailDomains ? domains(patch.allowedEmailDomains) : before.allowedEmailDomains,
    jitProvisioning: patch.jitProvisioning ?? before.jitProvisioning,
    enabled: patch.enabled ?? before.enabled,
    updatedAt: Math.max(Date.now(), before.updatedAt + 1),
  };
  await store.transaction(async (tx) => {
    const t = (await tx.tenants.byId(tenant.id))!;
    if (before.enabled && !after.enabled && t.ssoEnforced && (await enabledOthers(tx, tenant.id, id)) === 0) {
      throw conflictError(
        'this is the last enabled identity provider and the domain enforces single sign-on: turn enforcement off first',
      );
    }
    await tx.identityProviders.replace(after);
    tx.changes.record({ type: 'idp.changed', tenantId: tenant.id, idpId: id });
    // A provider disabled or pointed at another issuer no longer vouches for the sessions it started.
    const sessionsEnded =
      (before.enabled && !after.enabled) || issuer !== before.issuer
        ? await tx.sessions.deleteForIdentityProvider(tenant.id, id)
        : 0;
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'identity_provider.updated',
      targetType: 'identity_provider',
      targetId: id,
      details: {
        ...described(after),
        ...(patch.clientSecret !== undefined ? { clientSecret: 'replaced' } : {}),
        ...(sessionsEnded ? { sessionsEnded } : {}),
      },
    });
  });
  return after;
}

export async function deleteProvider(
  store: UnitOfWork<IdentityProviderKinds>,
  tenant: Tenant,
  id: string,
  actor: Actor,
): Promise<void> {
  await store.transaction(async (tx) => {
    const p = await tx.identityProviders.byId(tenant.id, id);
    if (!p) throw notFoundError(`identity provider ${id} does not exist`);
    const t = (await tx.tenants.byId(tenant.id))!;
    if (p.enabled && t.ssoEnforced && (await enabledOthers(tx, tenant.id, id)) === 0) {
      throw conflictError(
        'this is the last enabled identity provider and the domain enforces single sign-on: turn enforcement off first',
      );
    }
    const sessionsEnded = await tx.sessions.deleteForIdentityProvider(tenant.id, id);
    await tx.identityProviders.delete(tenant.id, id);
    tx.changes.record({ type: 'idp.changed', tenantId: tenant.id, idpId: id });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'identity_provider.deleted',
      targetType: 'identity_provider',
      targetId: id,
      details: { name: p.name, issuer: p.issuer, sessionsEnded },
    });
  });
}

/** The domain's OpenID Connect providers, as domain managers manage them. */
export class IdentityProviderService {
  constructor(
    private readonly store: UnitOfWork<IdentityProviderKinds>,
    private readonly sealer: Sealer,
    /** Fetches the discovery documents (public addresses only unless allowed). */
    private readonly outbound: OutboundGuard,
  ) {}

  list(tenant: Tenant): Promise<IdentityProvider[]> {
    return this.store.identityProviders.list(tenant.id);
  }

  byId(tenant: Tenant, id: string): Promise<IdentityProvider | undefined> {
    return this.store.identityProviders.byId(tenant.id, id);
  }

  /** The redirect URI managers register at the provider, for sign-ins at the tenant URL `tenantUrl` (either form). */
  redirectUri(tenantUrl: string): string {
    return redirectUri(tenantUrl);
  }

  create(tenant: Tenant, input: ProviderInput, actor: Actor): Promise<IdentityProvider> {
    return createProvider(this.store, this.sealer, this.outbound, tenant, input, actor);
  }

  update(tenant: Tenant, id: string, patch: Partial<ProviderInput>, actor: Actor): Promise<IdentityProvider> {
    return updateProvider(this.store, this.sealer, this.outbound, tenant, id, patch, actor);
  }

  delete(tenant: Tenant, id: string, actor: Actor): Promise<void> {
    return deleteProvider(this.store, tenant, id, actor);
  }
}
