import type { Db, Dialect } from './db.js';
import { TenantRepo } from './repos/tenants.js';
import { UserRepo } from './repos/users.js';
import { RoleRepo } from './repos/roles.js';
import { ResourceRepo } from './repos/resources.js';
import { ClientRepo } from './repos/clients.js';
import { RefreshTokenRepo } from './repos/refresh-tokens.js';
import { SigningKeyRepo } from './repos/signing-keys.js';
import { ReplayRepo } from './repos/assertions.js';
import { AuditRepo } from './repos/audit.js';
import { SessionRepo } from './repos/sessions.js';

/**
 * The one storage interface the domain sees: a repository per concept. `transaction` hands the
 * callback a Store whose repositories all write inside one database transaction.
 */
export class Store {
  readonly tenants: TenantRepo;
  readonly users: UserRepo;
  readonly roles: RoleRepo;
  readonly resources: ResourceRepo;
  readonly clients: ClientRepo;
  readonly refreshTokens: RefreshTokenRepo;
  readonly signingKeys: SigningKeyRepo;
  readonly replay: ReplayRepo;
  readonly audit: AuditRepo;
  readonly sessions: SessionRepo;

  constructor(readonly db: Db, readonly dialect: Dialect, private readonly inTransaction = false) {
    this.tenants = new TenantRepo(db);
    this.users = new UserRepo(db);
    this.roles = new RoleRepo(db);
    this.resources = new ResourceRepo(db);
    this.clients = new ClientRepo(db);
    this.refreshTokens = new RefreshTokenRepo(db);
    this.signingKeys = new SigningKeyRepo(db);
    this.replay = new ReplayRepo(db);
    this.audit = new AuditRepo(db);
    this.sessions = new SessionRepo(db);
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new Store(trx, this.dialect, true)));
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('tenants').select('id').limit(1).execute();
  }
}

export { openStore, migrateToLatest } from './db.js';
export type { Db, Dialect, StoreHandle } from './db.js';
export { InvalidCursorError } from './paginate.js';
export type { Page, PageQuery, SortDir } from './paginate.js';
