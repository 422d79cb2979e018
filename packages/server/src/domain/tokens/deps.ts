import type { UnitOfWork } from '../ports.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import type { KeyService } from '../keys/service.js';
import type { ResourceCache } from '../resources/cache.js';
import type { ClientCache } from '../clients/cache.js';
import type { PrincipalCache } from '../users/principal-cache.js';
import type { UsageTracker } from '../clients/usage.js';
import type { RevokedAccessTokens } from './revocations.js';
import type { Tenant } from '../tenants/model.js';
import type { AuditKinds } from '../audit/record.js';

/**
 * What the token use-cases call, each named for itself: a use-case asks for the few it uses, so
 * its signature says what it touches and a test can hand it just those. The application context
 * satisfies all of them.
 */
export interface Issuer {
  /** The issuer to issue under: the URL the request reached the tenant through (the path form by default). */
  issuer(tenant: Tenant | string): string;
}

/** Signing an access token: the tenant's active key and the audiences its scopes name. */
export interface SigningDeps extends Issuer {
  keys: Pick<KeyService, 'peek' | 'active'>;
  resources: Pick<ResourceCache, 'audiences'>;
}

/** Checking a presented access token against the tenant's published keys. */
export interface VerifyingDeps extends Issuer {
  keys: KeyService;
  /** Every issuer the tenant's tokens may carry: its path form and each of its hosts' (domain/tenants/urls.ts). */
  issuers(tenant: Tenant): readonly string[];
}

/** Secrets presented by clients are looked up by their peppered hash. */
export interface HashingDeps {
  hasher: Pick<SecretHasher, 'hash'>;
}

/** Whether the client and user behind a grant may still act. */
export interface GrantCheckDeps {
  clients: Pick<ClientCache, 'get'>;
  principals: Pick<PrincipalCache, 'get'>;
}

export type IssueDeps = SigningDeps & HashingDeps & { store: UnitOfWork };

export type RotateDeps = IssueDeps & {
  principals: Pick<PrincipalCache, 'get'>;
  sealer: Pick<Sealer, 'seal' | 'open'>;
  /** Runs a rotation's transaction, batched with the rotations that arrive with it where commits are dear (SQLite). */
  rotations: { run<T>(op: (tx: UnitOfWork<'refreshTokens'>) => Promise<T>): Promise<T> };
  usage: Pick<UsageTracker, 'touch'>;
  /** Told of every detected reuse (metrics). */
  metrics: { refreshReuseDetected(): void };
};

export type RevokeDeps = VerifyingDeps & HashingDeps & { store: UnitOfWork };

export type IntrospectDeps = VerifyingDeps &
  HashingDeps &
  GrantCheckDeps & {
    store: UnitOfWork;
    revokedTokens: Pick<RevokedAccessTokens, 'revoked'>;
  };

export type AppTokenDeps = SigningDeps & HashingDeps & { store: UnitOfWork<'clients' | 'refreshTokens' | AuditKinds> };
