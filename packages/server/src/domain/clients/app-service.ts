import type { UnitOfWork } from '../ports.js';
import type { Tenant } from '../tenants/model.js';
import type { SecretHasher } from '../../crypto/secrets.js';
import type { Client } from './model.js';
import type { ClientWithOwner } from './ports.js';
import type { Page, PageQuery } from '../paging.js';
import type { Actor } from '../audit/actor.js';
import type { AuditKinds } from '../audit/record.js';
import type { SigningDeps } from '../tokens/deps.js';
import { generateAppTokens, type TokFile } from '../tokens/app-tokens.js';
import {
  createApp,
  deleteApp,
  getApp,
  regenerateAppSecret,
  setAppActive,
  updateApp,
  type AppPatch,
  type NewApp,
} from './apps.js';

/** What the applications' use-cases read and write. */
export type AppKinds = 'clients' | 'resources' | 'refreshTokens' | 'replay' | 'changes' | AuditKinds;

export type AppSort = 'name' | 'createdAt' | 'lastUsedAt';

/** Confidential applications, as domain managers manage them. */
export class AppService {
  constructor(
    private readonly store: UnitOfWork<AppKinds>,
    private readonly hasher: SecretHasher,
    /** Signs the access tokens of a `.tok` file. */
    private readonly signing: SigningDeps,
  ) {}

  list(
    tenant: Tenant,
    filter: { nameContains?: string; status?: 'active' | 'inactive' },
    page: PageQuery<AppSort>,
  ): Promise<Page<ClientWithOwner>> {
    return this.store.clients.list(tenant.id, { kind: 'app', ...filter }, page);
  }

  get(tenant: Tenant, id: string): Promise<Client> {
    return getApp(this.store, tenant, id);
  }

  create(tenant: Tenant, input: NewApp, actor: Actor): Promise<{ client: Client; clientSecret: string }> {
    return createApp(this.store, this.hasher, tenant, input, actor);
  }

  update(tenant: Tenant, id: string, patch: AppPatch, actor: Actor): Promise<Client> {
    return updateApp(this.store, tenant, id, patch, actor);
  }

  delete(tenant: Tenant, id: string, actor: Actor): Promise<Client> {
    return deleteApp(this.store, tenant, id, actor);
  }

  /** A new secret shown once; the old one keeps working for `overlapSeconds` (0: stops now). */
  regenerateSecret(
    tenant: Tenant,
    id: string,
    actor: Actor,
    overlapSeconds?: number,
  ): Promise<{ client: Client; clientSecret: string; previousSecretExpiresAt: number | null }> {
    return regenerateAppSecret(this.store, this.hasher, tenant, id, actor, overlapSeconds);
  }

  setActive(tenant: Tenant, id: string, active: boolean, actor: Actor): Promise<Client> {
    return setAppActive(this.store, tenant, id, active, actor);
  }

  /**
   * A `.tok` document for the application, with the application (its name names the file).
   * `issuer`: the tenant URL the request came through (a tenant host's, or the path form).
   */
  async generateTokens(
    tenant: Tenant,
    id: string,
    input: { scopes: string[]; includeRefreshToken: boolean },
    actor: Actor,
    issuer: string = this.signing.issuer(tenant),
  ): Promise<{ app: Client; tokFile: TokFile }> {
    const app = await getApp(this.store, tenant, id);
    const tokFile = await generateAppTokens(
      { ...this.signing, issuer: () => issuer, hasher: this.hasher, store: this.store },
      tenant,
      app.id,
      input,
      actor,
    );
    return { app, tokFile };
  }
}
