import type { Db, Dialect } from './db.js';
import { TenantRepo } from './repos/tenants.js';
import { TenantHostRepo } from './repos/tenant-hosts.js';
import { UserRepo } from './repos/users.js';
import { RoleRepo } from './repos/roles.js';
import { ResourceRepo } from './repos/resources.js';
import { ClientRepo } from './repos/clients.js';
import { RefreshTokenRepo } from './repos/refresh-tokens.js';
import { SigningKeyRepo } from './repos/signing-keys.js';
import { ReplayRepo } from './repos/assertions.js';
import { AuditRepo } from './repos/audit.js';
import { SessionRepo } from './repos/sessions.js';
import { SecretReportRepo } from './repos/secret-reports.js';
import { WebhookRepo } from './repos/webhooks.js';
import { OutboxRepo } from './repos/outbox.js';
import { IdentityProviderRepo } from './repos/identity-providers.js';
import { FederationPolicyRepo } from './repos/federation-policies.js';
import { ChangeFeed } from './change-feed.js';
import { notifyChanges } from './change-notify.js';
import type { Change, ChangeRecorder } from '../domain/changes.js';
import type { Records } from '../domain/ports.js';
import type { OutboxSettings } from '../domain/webhooks/ports.js';

const OUTSIDE_TRANSACTION: ChangeRecorder = {
  record(change) {
    throw new Error(`${change.type} must be recorded inside the transaction that makes the change`);
  },
};

/**
 * Implements the domain's storage ports (domain/ports.ts): a repository per concept. `transaction` hands the
 * callback a Store whose repositories all write inside one database transaction, and whose
 * `changes` records what the transaction changed: once it commits, the changes go to this
 * process's subscribers (`feed`) and, on PostgreSQL, out to the other processes through
 * notifications sent in the same transaction. A rolled-back transaction announces nothing.
 */
export class Store implements Records {
  readonly tenants: TenantRepo;
  readonly tenantHosts: TenantHostRepo;
  readonly users: UserRepo;
  readonly roles: RoleRepo;
  readonly resources: ResourceRepo;
  readonly clients: ClientRepo;
  readonly refreshTokens: RefreshTokenRepo;
  readonly signingKeys: SigningKeyRepo;
  readonly replay: ReplayRepo;
  readonly audit: AuditRepo;
  readonly sessions: SessionRepo;
  readonly secretReports: SecretReportRepo;
  readonly webhooks: WebhookRepo;
  readonly outbox: OutboxRepo;
  readonly identityProviders: IdentityProviderRepo;
  readonly federationPolicies: FederationPolicyRepo;
  readonly changes: ChangeRecorder;

  constructor(
    readonly db: Db,
    readonly dialect: Dialect,
    readonly feed = new ChangeFeed(),
    private readonly pending?: Change[],
    /** What the audit trail announces besides webhooks (set once at startup, shared by every transaction). */
    readonly outboxSettings: OutboxSettings = { email: false },
  ) {
    this.changes = pending ? { record: (c) => void pending.push(c) } : OUTSIDE_TRANSACTION;
    this.tenants = new TenantRepo(db);
    this.tenantHosts = new TenantHostRepo(db);
    this.users = new UserRepo(db);
    this.roles = new RoleRepo(db);
    this.resources = new ResourceRepo(db);
    this.clients = new ClientRepo(db);
    this.refreshTokens = new RefreshTokenRepo(db, dialect);
    this.signingKeys = new SigningKeyRepo(db);
    this.replay = new ReplayRepo(db);
    this.audit = new AuditRepo(db);
    this.sessions = new SessionRepo(db);
    this.secretReports = new SecretReportRepo(db);
    this.webhooks = new WebhookRepo(db);
    this.outbox = new OutboxRepo(db);
    this.identityProviders = new IdentityProviderRepo(db);
    this.federationPolicies = new FederationPolicyRepo(db);
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.pending) return fn(this);
    const pending: Change[] = [];
    const result = await this.db.transaction().execute(async (trx) => {
      const out = await fn(new Store(trx, this.dialect, this.feed, pending, this.outboxSettings));
      if (pending.length > 0 && this.dialect === 'postgres') await notifyChanges(trx, this.feed.origin, pending);
      return out;
    });
    this.feed.deliver(pending);
    return result;
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('tenants').select('id').limit(1).execute();
  }
}

export { openStore, migrateToLatest } from './db.js';
export { ChangeFeed } from './change-feed.js';
export type { Db, Dialect, StoreHandle } from './db.js';
export { InvalidCursorError } from './paginate.js';
export { StoreUnavailable } from './availability.js';
export type { OutageLog } from './availability.js';
export type { Page, PageQuery, SortDir } from './paginate.js';
