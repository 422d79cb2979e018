import type { ChangeRecorder } from './changes.js';
import type { TenantHostRecords, TenantRecords } from './tenants/ports.js';
import type { UserRecords } from './users/ports.js';
import type { RoleRecords } from './roles/ports.js';
import type { ResourceRecords } from './resources/ports.js';
import type { ClientRecords } from './clients/ports.js';
import type { RefreshTokenRecords, ReplayRecords } from './tokens/ports.js';
import type { SigningKeyRecords } from './keys/ports.js';
import type { AuditRecords } from './audit/ports.js';
import type { SessionRecords } from './sessions/ports.js';
import type { SecretReportRecords } from './secret-scanning/ports.js';
import type { OutboxRecords, OutboxSettings, WebhookRecords } from './webhooks/ports.js';
import type { IdentityProviderRecords } from './sso/ports.js';
import type { FederationPolicyRecords } from './federation/ports.js';

/**
 * The domain's storage ports: one small interface per concept, declared next to the use-cases that
 * call it (`<area>/ports.ts`) and implemented by the store, which decides nothing. A use-case names
 * the records it touches (`UnitOfWork<'clients' | 'audit'>`), so its signature says what it
 * reads and writes and a test can hand it just those.
 */
export interface Records {
  tenants: TenantRecords;
  /** Host names that serve a tenant at their root. */
  tenantHosts: TenantHostRecords;
  users: UserRecords;
  roles: RoleRecords;
  resources: ResourceRecords;
  clients: ClientRecords;
  refreshTokens: RefreshTokenRecords;
  signingKeys: SigningKeyRecords;
  replay: ReplayRecords;
  audit: AuditRecords;
  sessions: SessionRecords;
  secretReports: SecretReportRecords;
  webhooks: WebhookRecords;
  outbox: OutboxRecords;
  identityProviders: IdentityProviderRecords;
  federationPolicies: FederationPolicyRecords;
  /** What the transaction changed, announced to every process once it commits. */
  changes: ChangeRecorder;
  readonly outboxSettings: OutboxSettings;
}

/**
 * Records of the named kinds, and a transaction over them: every write inside `transaction` commits
 * or rolls back together, and the changes it records are announced only after the commit.
 */
export type UnitOfWork<K extends keyof Records = keyof Records> = Pick<Records, K> & Transactional<K>;

/** A transaction opened inside another joins it. */
export interface Transactional<K extends keyof Records> {
  transaction<T>(fn: (tx: UnitOfWork<K>) => Promise<T>): Promise<T>;
}
