import { decodeJwt } from 'jose';
import type { UnitOfWork } from '../ports.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import type { KeyService } from '../keys/service.js';
import type { RevokedAccessTokens } from '../tokens/revocations.js';
import type { Tenant } from '../tenants/model.js';
import { looksLikeLatchkeySecret } from '../../crypto/secret-format.js';
import { isExpired, overlapLive } from '../clients/model.js';
import { endOverlap } from '../clients/secret-rotation.js';
import { regenerateAppSecret } from '../clients/apps.js';
import { revokePersonalClient } from '../clients/personal.js';
import { endGrants } from '../tokens/grants.js';
import { tokenUserId } from '../tokens/access-token.js';
import { verifyAccessToken } from '../tokens/verify-access-token.js';
import { SYSTEM, auditActor } from '../audit/actor.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

/** Where a leaked secret was seen, as the audit log keeps it. */
export interface LeakReport {
  reporter: 'github' | 'gitlab';
  url: string | null;
  source: string | null;
}

/**
 * GitHub's feedback labels: `true_positive` when the token was a live Latchkey credential (revoked
 * now); `false_positive` for anything else: not our shape, a checksum that does not hold, unknown,
 * or already dead (revoked, expired, rotated out of a revoked family): nothing left to do.
 */
export type LeakLabel = 'true_positive' | 'false_positive';

const systemAudit = auditActor(SYSTEM);

/** What revoking a reported credential uses, in whichever tenant it lives. */
export interface LeakDeps {
  store: UnitOfWork<'clients' | 'tenants' | 'refreshTokens' | 'replay' | 'changes' | AuditKinds>;
  hasher: SecretHasher;
  /** An access token is verified with its tenant's keys before it is revoked. */
  keys: KeyService;
  revokedTokens: Pick<RevokedAccessTokens, 'revoked'>;
  /** Every issuer the tenant's tokens may carry (its path form and its hosts'). */
  issuers(tenant: Tenant): readonly string[];
  /** The slug of the tenant an issuer URL names, either form: an access token's tenant is read from its issuer. */
  tenantOfIssuer(iss: string): string | undefined;
}

/**
 * Revokes whatever live credential `token` is, at once, one transaction per credential: a personal
 * client (revoked), an application secret (regenerated; the new one is shown to nobody, a manager
 * regenerates again to get one), a refresh token (its family and their access tokens), an access
 * token (its grant when it has a live one, else the token), or a whole `.tok` document (each of its
 * tokens). Audited with where the leak was seen; never logs or answers the token.
 */
export async function reportLeak(ctx: LeakDeps, token: string, report: LeakReport): Promise<LeakLabel> {
  const parts = tokFileParts(token) ?? [token];
  let live = false;
  for (const part of parts) if ((await revokeOne(ctx, part, report)) === 'true_positive') live = true;
  return live ? 'true_positive' : 'false_positive';
}

/** A `.tok` document's tokens, or undefined when `s` is not one. */
function tokFileParts(s: string): string[] | undefined {
  if (!s.trimStart().startsWith('{')) return undefined;
  try {
    const doc = JSON.parse(s) as Record<string, unknown>;
    const parts = [doc.app_access_token, doc.refresh_token, doc.client_secret].filter(
      (v): v is string => typeof v === 'string',
    );
    return parts.length ? parts : undefined;
  } catch {
    return undefined;
  }
}

async function revokeOne(ctx: LeakDeps, token: string, report: LeakReport): Promise<LeakLabel> {
  const shape = looksLikeLatchkeySecret(token);
  if (shape) {
    if (shape.checksumValid === false) return 'false_positive';
    if (shape.kind === 'client_secret') return revokeClientSecret(ctx, token, report);
    if (shape.kind === 'refresh_token') return revokeRefreshToken(ctx, token, report);
    return 'false_positive'; // session ids live in cookies; scanners do not report them
  }
  if (token.startsWith('eyJ')) return revokeAccessToken(ctx, token, report);
  return 'false_positive';
}

const details = (report: LeakReport, extra: Record<string, unknown> = {}) => ({
  url: report.url,
  source: report.source,
  reporter: report.reporter,
  ...extra,
});

async function revokeClientSecret(ctx: LeakDeps, secret: string, report: LeakReport): Promise<LeakLabel> {
  const hash = ctx.hasher.hash(secret);
  const client = await ctx.store.clients.bySecretHash(hash);
  if (!client || client.status === 'revoked') return 'false_positive';
  const tenant = await ctx.store.tenants.byId(client.tenantId);
  if (!tenant) return 'false_positive';
  if (client.kind === 'personal' && isExpired(client, Date.now())) return 'false_positive';
  return ctx.store.transaction(async (tx) => {
    // Another report of the same secret may have won the race: only the current secret counts.
    const now = await tx.clients.byId(tenant.id, client.id);
    if (!now || now.status === 'revoked') return 'false_positive';
    if (now.secretHash !== hash) {
      // The secret a rotation replaced, still in its overlap: it and what it obtained end now; the
      // current secret was not reported and keeps working.
      if (now.previousSecretHash !== hash || !overlapLive(now)) return 'false_positive';
      await endOverlap(tx, now);
      await recordAudit(tx, {
        tenantId: tenant.id,
        ...systemAudit,
        action: now.kind === 'personal' ? 'personal_client.reported_leaked' : 'app.reported_leaked',
        targetType: now.kind === 'personal' ? 'oauth2_client' : 'app',
        targetId: now.id,
        details: details(report, {
          clientId: now.clientId,
          ...(now.kind === 'personal' ? { ownerId: now.ownerUserId } : {}),
          overlapEnded: true,
        }),
      });
      return 'true_positive';
    }
    if (now.kind === 'personal') {
      await revokePersonalClient(tx, tenant, now.id, { by: 'policy', reason: 'reported_leaked' }, undefined, SYSTEM);
      await recordAudit(tx, {
        tenantId: tenant.id,
        ...systemAudit,
        action: 'personal_client.reported_leaked',
        targetType: 'oauth2_client',
        targetId: now.id,
        details: details(report, { clientId: now.clientId, ownerId: now.ownerUserId }),
      });
    } else {
      await regenerateAppSecret(tx, ctx.hasher, tenant, now.id, SYSTEM);
      await recordAudit(tx, {
        tenantId: tenant.id,
        ...systemAudit,
        action: 'app.reported_leaked',
        targetType: 'app',
        targetId: now.id,
        details: details(report, { clientId: now.clientId }),
      });
    }
    return 'true_positive' as const;
  });
}

async function revokeRefreshToken(ctx: LeakDeps, token: string, report: LeakReport): Promise<LeakLabel> {
  const record = await ctx.store.refreshTokens.byHashAnyTenant(ctx.hasher.hash(token));
  if (!record) return 'false_positive';
  // A rotated token still opens its family (as reuse, or within the grace window): the family counts.
  return revokeFamily(ctx, record.tenantId, record.familyId, record.clientId, record.userId, report);
}

async function revokeFamily(
  ctx: LeakDeps,
  tenantId: string,
  familyId: string,
  clientRowId: string,
  userId: string | null,
  report: LeakReport,
): Promise<LeakLabel> {
  return ctx.store.transaction(async (tx) => {
    const now = Date.now();
    const n = await tx.refreshTokens.revokeFamily(tenantId, familyId, now);
    if (n === 0) return 'false_positive';
    const client = await tx.clients.byId(tenantId, clientRowId);
    await recordAudit(tx, {
      tenantId,
      ...systemAudit,
      action: 'refresh_token.revoked',
      targetType: 'refresh_token_family',
      targetId: familyId,
      details: { reason: 'reported_leaked' },
    });
    await recordAudit(tx, {
      tenantId,
      ...systemAudit,
      action: 'refresh_token.reported_leaked',
      targetType: 'refresh_token_family',
      targetId: familyId,
      // ownerId: the user the grant acts for, who is told by email with the domain's managers.
      details: details(report, {
        clientId: client?.clientId ?? null,
        clientKind: client?.kind ?? null,
        name: client?.name ?? null,
        ownerId: userId,
      }),
    });
    await endGrants(tx, tenantId, [familyId], now);
    return 'true_positive' as const;
  });
}

/** An access token: its tenant from `iss`, verified with the tenant's keys (expired ones are dead already). */
async function revokeAccessToken(ctx: LeakDeps, token: string, report: LeakReport): Promise<LeakLabel> {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    return 'false_positive';
  }
  const slug = typeof iss === 'string' ? ctx.tenantOfIssuer(iss) : undefined;
  const tenant = slug === undefined ? undefined : await ctx.store.tenants.bySlug(slug);
  if (!tenant) return 'false_positive';
  const claims = await verifyAccessToken(ctx.keys, tenant, ctx.issuers(tenant), token);
  if (!claims || (await ctx.revokedTokens.revoked(claims))) return 'false_positive';
  if (
    claims.sid &&
    !claims.sid.startsWith('secret:') &&
    (await ctx.store.refreshTokens.familyLive(tenant.id, claims.sid))
  ) {
    const row = await ctx.store.clients.byClientId(tenant.id, claims.client_id);
    if (
      row &&
      (await revokeFamily(ctx, tenant.id, claims.sid, row.id, tokenUserId(claims), report)) === 'true_positive'
    )
      return 'true_positive';
  }
  const expiresAt = (claims.exp + 60) * 1000;
  return ctx.store.transaction(async (tx) => {
    await tx.replay.revokeAccessToken(tenant.id, claims.jti, expiresAt);
    tx.changes.record({ type: 'token.revoked', jti: claims.jti, expiresAt });
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...systemAudit,
      action: 'access_token.revoked',
      targetType: 'access_token',
      targetId: claims.jti,
      details: details(report, { clientId: claims.client_id, reason: 'reported_leaked' }),
    });
    return 'true_positive' as const;
  });
}

/** Leaked-secret reports from scanners: each reported credential revoked, each signed report received once. */
export class LeakReportService {
  constructor(private readonly deps: LeakDeps & { store: UnitOfWork<'secretReports'> }) {}

  /** Revokes whatever live credential `token` is (see reportLeak). */
  report(token: string, report: LeakReport): Promise<LeakLabel> {
    return reportLeak(this.deps, token, report);
  }

  /** Whether a report with this digest was received (and handled) within its replay window. */
  seen(digest: string, now: number): Promise<boolean> {
    return this.deps.store.secretReports.seen(digest, now);
  }

  /** Remembers a handled report until `expiresAt`, so a replay of it changes nothing. */
  received(digest: string, reporter: string, now: number, expiresAt: number): Promise<void> {
    return this.deps.store.secretReports.record(digest, reporter, now, expiresAt);
  }
}
