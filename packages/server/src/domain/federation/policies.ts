import { randomUUID } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { Issuer } from '../tokens/deps.js';
import type { Page, PageQuery } from '../paging.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';
import { conflictError, DomainError, invalid, notFoundError } from '../errors.js';
import { checkName } from '../names.js';
import { getApp } from '../clients/apps.js';
import { endGrants } from '../tokens/grants.js';
import { parseIssuer } from '../sso/discovery.js';
import { checkCondition, isGlob } from './conditions.js';
import { FEDERATION_PRESETS, PRESETS, presetOfIssuer, type FederationPreset } from './presets.js';
import { federationGrantId, MAX_CONDITIONS, MAX_POLICIES, TOKEN_LIFETIME, type FederationPolicy } from './model.js';
import type { FederationPolicyFilter, FederationPolicySort } from './ports.js';

export interface FederationPolicyInput {
  name: string;
  /** Defaults to the preset's hosted issuer. */
  issuer?: string;
  /** Defaults to the tenant's issuer URL. */
  audience?: string;
  conditions: Record<string, string>;
  appId: string;
  scopes: string[];
  maxTokenLifetimeSeconds?: number;
  /** Inferred from the issuer when it is GitHub's or GitLab's hosted one. */
  preset?: FederationPreset | null;
  refuseReplay?: boolean;
}

export type FederationPolicyPatch = Partial<FederationPolicyInput>;

/** What managing the policies touches: the policies, the application they act as, the grants they end. */
export type FederationPolicyKinds = 'federationPolicies' | 'clients' | 'replay' | 'changes' | AuditKinds;

/** Fetches an issuer's discovery document and keys, so a policy is saved only for an issuer that works. */
export interface IssuerCheck {
  check(issuer: string): Promise<void>;
}

const CONTROL = /[\p{Cc}\u2028\u2029]/u;

function checkAudience(audience: string): string {
  const a = audience.trim();
  if (a.length < 1 || a.length > 500) throw invalid('audience must be 1-500 characters');
  if (CONTROL.test(a)) throw invalid('audience must not contain control characters');
  return a;
}

function checkLifetime(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < TOKEN_LIFETIME.min || seconds > TOKEN_LIFETIME.max)
    throw invalid(
      `maxTokenLifetimeSeconds must be a whole number of seconds from ${TOKEN_LIFETIME.min} to ${TOKEN_LIFETIME.max}`,
    );
  return seconds;
}

function checkPreset(preset: unknown): FederationPreset | null {
  if (preset === null || preset === undefined) return null;
  if (!(FEDERATION_PRESETS as readonly unknown[]).includes(preset))
    throw invalid(`preset must be one of ${FEDERATION_PRESETS.join(', ')} (or null for any other issuer)`);
  return preset as FederationPreset;
}

/**
 * The conditions, each well formed, naming claims the preset knows, and pinning an identity that
 * nobody else can come to hold (presets.ts says why).
 */
export function checkConditions(
  preset: FederationPreset | null,
  conditions: Record<string, unknown>,
): Record<string, string> {
  if (typeof conditions !== 'object' || conditions === null || Array.isArray(conditions))
    throw invalid('conditions must be an object of claim names to values');
  const entries = Object.entries(conditions);
  if (entries.length > MAX_CONDITIONS) throw invalid(`conditions: at most ${MAX_CONDITIONS}`);
  const out: Record<string, string> = {};
  for (const [claim, value] of entries) out[claim] = checkCondition(claim, value);
  const rules = PRESETS[preset ?? 'generic'];
  const policy = preset ? `a ${rules.label} policy` : 'a policy';
  if (rules.claims) {
    const unknown = Object.keys(out).filter((c) => !rules.claims!.includes(c));
    if (unknown.length)
      throw invalid(
        `conditions: ${rules.label} tokens have no claim ${unknown.join(', ')} that a policy may check (it may check ${rules.claims.join(', ')})`,
      );
  }
  const pinned = rules.identity.filter((c) => out[c] !== undefined);
  if (pinned.length === 0)
    throw invalid(`${policy} needs an exact condition on ${rules.identity.join(' or ')}: ${rules.why}`);
  for (const c of pinned) {
    if (isGlob(out[c]) || !rules.identityForm.pattern.test(out[c]))
      throw invalid(`conditions.${c} must be ${rules.identityForm.description}: ${rules.why}`);
  }
  // Sorted, so the audit log and the API show them the same way whatever order they came in.
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The issuer: the preset's hosted one unless another is named; https (plain http only on loopback). */
function resolveIssuer(preset: FederationPreset | null, issuer: string | undefined): string {
  const raw = issuer?.trim() ?? (preset ? PRESETS[preset].issuer : undefined);
  if (raw === undefined)
    throw invalid(
      preset
        ? `issuer is required for a ${PRESETS[preset].label} policy (the cluster's own issuer URL)`
        : 'issuer is required',
    );
  if (raw.length > 500) throw invalid('issuer must be at most 500 characters');
  parseIssuer(raw);
  return raw;
}

async function checkScopes(
  tx: UnitOfWork<'clients'>,
  tenant: Tenant,
  appId: string,
  scopes: string[],
): Promise<{ appClientId: string; scopes: string[] }> {
  let app;
  try {
    app = await getApp(tx, tenant, appId);
  } catch (err) {
    if (err instanceof DomainError && err.code === 'not_found')
      throw invalid(`appId: application ${appId} does not exist`);
    throw err;
  }
  const wanted = [...new Set(scopes)].sort();
  if (wanted.length === 0) throw invalid("scopes must name at least one of the application's scopes");
  const outside = wanted.filter((s) => !app.scopes.includes(s));
  if (outside.length)
    throw invalid(
      `scopes outside the application's: ${outside.join(', ')} (a policy narrows what its application holds, never widens it)`,
    );
  return { appClientId: app.clientId, scopes: wanted };
}

/** What the audit log says about a policy (nothing in it is secret). */
const described = (p: FederationPolicy) => ({
  name: p.name,
  issuer: p.issuer,
  audience: p.audience,
  conditions: p.conditions,
  appId: p.appId,
  scopes: p.scopes,
  maxTokenLifetimeSeconds: p.maxTokenLifetimeSeconds,
  preset: p.preset,
  refuseReplay: p.refuseReplay,
});

async function checkNameFree(tx: UnitOfWork<'federationPolicies'>, tenantId: string, name: string, id?: string) {
  const all = await tx.federationPolicies.all(tenantId);
  if (all.some((p) => p.id !== id && p.name.toLowerCase() === name.toLowerCase()))
    throw conflictError(`a federation policy named "${name}" already exists`);
  return all;
}

export async function createPolicy(
  store: UnitOfWork<FederationPolicyKinds>,
  deps: Issuer & { issuerCheck: IssuerCheck },
  tenant: Tenant,
  input: FederationPolicyInput,
  actor: Actor,
): Promise<FederationPolicy> {
  const name = checkName(input.name);
  const explicitPreset = checkPreset(input.preset);
  const issuer = resolveIssuer(explicitPreset, input.issuer);
  const preset = explicitPreset ?? presetOfIssuer(issuer);
  const conditions = checkConditions(preset, input.conditions);
  const audience = checkAudience(input.audience ?? deps.issuer(tenant));
  const maxTokenLifetimeSeconds = checkLifetime(input.maxTokenLifetimeSeconds ?? TOKEN_LIFETIME.default);
  const { appClientId, scopes } = await checkScopes(store, tenant, input.appId, input.scopes);
  await deps.issuerCheck.check(issuer);
  const now = Date.now();
  const p: FederationPolicy = {
    id: randomUUID(),
    tenantId: tenant.id,
    name,
    issuer,
    audience,
    conditions,
    appId: input.appId,
    appClientId,
    scopes,
    maxTokenLifetimeSeconds,
    preset,
    refuseReplay: input.refuseReplay ?? false,
    revision: 1,
    createdAt: now,
    updatedAt: now,
    firstUsedAt: null,
    lastUsedAt: null,
    lastSubject: null,
  };
  await store.transaction(async (tx) => {
    const all = await checkNameFree(tx, tenant.id, name);
    if (all.length >= MAX_POLICIES) throw invalid(`a domain has at most ${MAX_POLICIES} federation policies`);
    // The application may have been deleted since it was checked (outside this transaction).
    await checkScopes(tx, tenant, p.appId, p.scopes);
    await tx.federationPolicies.insert(p);
    tx.changes.record({ type: 'federation.changed', tenantId: tenant.id });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'federation_policy.created',
      targetType: 'federation_policy',
      targetId: p.id,
      details: described(p),
    });
  });
  return p;
}

// Fields whose change alters who may exchange, or what they get: tokens of the old terms end.
const TERMS = ['issuer', 'audience', 'conditions', 'appId', 'scopes', 'maxTokenLifetimeSeconds', 'preset'] as const;

export async function updatePolicy(
  store: UnitOfWork<FederationPolicyKinds>,
  deps: { issuerCheck: IssuerCheck },
  tenant: Tenant,
  id: string,
  patch: FederationPolicyPatch,
  actor: Actor,
): Promise<FederationPolicy> {
  const before = await store.federationPolicies.byId(tenant.id, id);
  if (!before) throw notFoundError(`federation policy ${id} does not exist`);
  const name = patch.name === undefined ? before.name : checkName(patch.name);
  const explicitPreset = patch.preset === undefined ? before.preset : checkPreset(patch.preset);
  const issuer = patch.issuer === undefined ? before.issuer : resolveIssuer(explicitPreset, patch.issuer);
  const preset = explicitPreset ?? presetOfIssuer(issuer);
  // The conditions are checked again against the rules of the (maybe new) preset and issuer.
  const conditions = checkConditions(preset, patch.conditions ?? before.conditions);
  const audience = patch.audience === undefined ? before.audience : checkAudience(patch.audience);
  const maxTokenLifetimeSeconds =
    patch.maxTokenLifetimeSeconds === undefined
      ? before.maxTokenLifetimeSeconds
      : checkLifetime(patch.maxTokenLifetimeSeconds);
  const appId = patch.appId ?? before.appId;
  const { appClientId, scopes } = await checkScopes(store, tenant, appId, patch.scopes ?? before.scopes);
  if (issuer !== before.issuer) await deps.issuerCheck.check(issuer);
  const draft = { issuer, audience, conditions, appId, scopes, maxTokenLifetimeSeconds, preset };
  const termsChanged = TERMS.some((k) => JSON.stringify(draft[k]) !== JSON.stringify(before[k]));
  return store.transaction(async (tx) => {
    const current = await tx.federationPolicies.byId(tenant.id, id);
    if (!current) throw notFoundError(`federation policy ${id} does not exist`);
    await checkNameFree(tx, tenant.id, name, id);
    await checkScopes(tx, tenant, appId, scopes);
    const after: FederationPolicy = {
      ...current,
      ...draft,
      name,
      appClientId,
      refuseReplay: patch.refuseReplay ?? current.refuseReplay,
      revision: termsChanged ? current.revision + 1 : current.revision,
      updatedAt: Math.max(Date.now(), current.updatedAt + 1),
    };
    await tx.federationPolicies.replace(after);
    tx.changes.record({ type: 'federation.changed', tenantId: tenant.id });
    if (termsChanged) await endGrants(tx, tenant.id, [federationGrantId(current)]);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'federation_policy.updated',
      targetType: 'federation_policy',
      targetId: id,
      details: {
        ...described(after),
        fields: Object.keys(patch).filter((k) => (patch as Record<string, unknown>)[k] !== undefined),
        ...(termsChanged ? { tokensEnded: true } : {}),
      },
    });
    return after;
  });
}

/** Deletes a policy: exchanges under it stop at once, and the access tokens it gave end. */
export async function deletePolicy(
  store: UnitOfWork<FederationPolicyKinds>,
  tenant: Tenant,
  id: string,
  actor: Actor,
): Promise<void> {
  await store.transaction(async (tx) => {
    const p = await tx.federationPolicies.byId(tenant.id, id);
    if (!p) throw notFoundError(`federation policy ${id} does not exist`);
    await tx.federationPolicies.delete(tenant.id, id);
    tx.changes.record({ type: 'federation.changed', tenantId: tenant.id });
    await endGrants(tx, tenant.id, [federationGrantId(p)]);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'federation_policy.deleted',
      targetType: 'federation_policy',
      targetId: id,
      details: { name: p.name, issuer: p.issuer, appId: p.appId },
    });
  });
}

/** The domain's federation policies, as domain managers manage them. */
export class FederationPolicyService {
  constructor(
    private readonly store: UnitOfWork<FederationPolicyKinds>,
    private readonly deps: Issuer & { issuerCheck: IssuerCheck },
  ) {}

  list(
    tenant: Tenant,
    filter: FederationPolicyFilter,
    page: PageQuery<FederationPolicySort>,
  ): Promise<Page<FederationPolicy>> {
    return this.store.federationPolicies.list(tenant.id, filter, page);
  }

  async get(tenant: Tenant, id: string): Promise<FederationPolicy> {
    const p = await this.store.federationPolicies.byId(tenant.id, id);
    if (!p) throw notFoundError(`federation policy ${id} does not exist`);
    return p;
  }

  create(tenant: Tenant, input: FederationPolicyInput, actor: Actor): Promise<FederationPolicy> {
    return createPolicy(this.store, this.deps, tenant, input, actor);
  }

  update(tenant: Tenant, id: string, patch: FederationPolicyPatch, actor: Actor): Promise<FederationPolicy> {
    return updatePolicy(this.store, this.deps, tenant, id, patch, actor);
  }

  delete(tenant: Tenant, id: string, actor: Actor): Promise<void> {
    return deletePolicy(this.store, tenant, id, actor);
  }
}
