import { existsSync } from 'node:fs';
import { LatchkeyConfigError } from '../errors.js';
import { writeTokFile, type TokFile } from '../credentials/token-file.js';
import { paginate, type ListQuery, type Page, type Requester } from './types.js';
import { SDK_WORDING, type Wording } from '../wording.js';

// Typed helpers for the management API at `{baseUrl}/t/{tenant}/api/v1`. Field names are the API's
// (camelCase JSON); see the server's OpenAPI document at /docs for every field and filter.

export interface RoleRef {
  id: string;
  name: string;
  builtin: string | null;
}

export interface Me {
  id: string;
  email: string;
  displayName: string;
  status: string;
  roles: RoleRef[];
  scopes: string[];
  isDomainManager: boolean;
  canCreateClients: boolean;
  platformAdmin: boolean;
  tenant: { slug: string; name: string; enterpriseEnabled: boolean };
}

export type PersonalClientStatus = 'active' | 'expired' | 'revoked';

export interface PersonalClient {
  id: string;
  clientId: string;
  name: string;
  /** The scopes its tokens may carry (never more than the owner holds at the time); null: all of the owner's permissions. */
  scopes: string[] | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  /** Address and user agent of the last token request (recorded in batches, a few seconds late). */
  lastUsedAddress: string | null;
  lastUsedUserAgent: string | null;
  status: PersonalClientStatus;
  revokedAt: string | null;
  revokedBy: { by: 'owner' | 'manager' | 'policy'; userId?: string; email?: string; reason?: string } | null;
  /** While a rotation's overlap lasts: when the replaced secret stops working; null otherwise. */
  previousSecretExpiresAt: string | null;
}

/** A personal client as domain managers see it: with its owner. */
export interface ManagedPersonalClient extends PersonalClient {
  owner: { id: string; email: string | null; displayName: string | null };
}

/** How long the replaced secret keeps working after a rotation. */
export interface RotateOptions {
  /**
   * Seconds, 0 to 86400 (24 h); 0 (the default): the old secret, and the tokens it obtained, stop
   * working at once. Otherwise they stop when the overlap ends.
   */
  overlapSeconds?: number;
}

/** The answer to a rotation: the client (same client id) and its new secret, shown only this once. */
export interface RotatedPersonalClient extends PersonalClient {
  clientSecret: string;
}

/** The answer to creating a personal client: the only time its secret is shown. */
export interface CreatedPersonalClient {
  id: string;
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[] | null;
  createdAt: string;
  expiresAt: string;
}

export interface PersonalClientQuery extends ListQuery {
  status?: PersonalClientStatus;
  sort?: 'name' | 'createdAt' | 'expiresAt' | 'lastUsedAt';
}

export interface User {
  id: string;
  email: string;
  displayName: string;
  status: 'active' | 'disabled';
  platformAdmin: boolean;
  hasPassword: boolean;
  roles: RoleRef[];
  createdAt: string;
  updatedAt: string;
}

export interface UserQuery extends ListQuery {
  email?: string;
  status?: 'active' | 'disabled';
  /** Part of the email or display name. */
  q?: string;
  sort?: 'email' | 'displayName' | 'createdAt';
}

export interface InviteUser {
  email: string;
  displayName?: string;
  /** Omit for users who sign in with SSO. */
  password?: string;
  roleIds?: string[];
}

export interface UserPatch {
  displayName?: string;
  status?: 'active' | 'disabled';
  /** Replaces the user's roles. */
  roleIds?: string[];
  password?: string;
}

export type AppGrant = 'client_credentials' | 'refresh_token' | 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface App {
  id: string;
  clientId: string;
  name: string;
  description: string;
  grantTypes: string[];
  scopes: string[];
  jwks: { keys: Record<string, unknown>[] } | null;
  status: 'active' | 'inactive';
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
  lastUsedUserAgent: string | null;
  /** While a secret regeneration's overlap lasts: when the replaced secret stops working; null otherwise. */
  previousSecretExpiresAt: string | null;
}

export type StaleReason = 'never_used' | 'unused' | 'expiring';

/** A personal client or application that is never used, unused for a while or about to expire. */
export interface StaleCredential {
  kind: 'personal' | 'app';
  id: string;
  clientId: string;
  name: string;
  /** null for applications. */
  owner: { id: string; email: string | null; displayName: string | null } | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
  lastUsedUserAgent: string | null;
  /** Which of the asked conditions it meets. */
  reasons: StaleReason[];
}

/** Conditions combine with OR (an item meets at least one); at least one is needed. */
export interface StaleQuery extends ListQuery {
  neverUsed?: boolean;
  unusedDays?: number;
  expiringWithinDays?: number;
  kind?: 'personal' | 'app';
  sort?: 'createdAt' | 'lastUsedAt' | 'expiresAt';
}

/** An application with its secret: after creation and after `rotateSecret`, never again. */
export interface AppWithSecret extends App {
  clientSecret: string;
}

export interface NewApp {
  name: string;
  description?: string;
  grantTypes: AppGrant[];
  scopes: string[];
  jwks?: { keys: Record<string, unknown>[] };
}

export interface AppQuery extends ListQuery {
  q?: string;
  status?: 'active' | 'inactive';
  sort?: 'name' | 'createdAt' | 'lastUsedAt';
}

export interface GenerateTokens {
  /** Defaults to all of the application's scopes. */
  scopes?: string[];
  /** Defaults to true: a `.tok` file is for refreshing. */
  includeRefreshToken?: boolean;
  /** Also write the document to this path (atomically, mode 0600). */
  out?: string;
  /** Replace an existing file at `out` (default false: refuse before asking the server). */
  overwrite?: boolean;
}

export interface Settings {
  ssoEnforced: boolean;
  signingCertificatePublic: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  personalClientMaxDays: number;
  revokeClientsOnRoleLoss: boolean;
  /** Days the audit log is kept (30-3650, default 400). */
  auditRetentionDays: number;
}

const id = (value: string) => encodeURIComponent(value);

/** The signed-in user's own personal OAuth2 clients (`/me/oauth2-clients`). */
export class PersonalClientsApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
  ) {}

  list(query: PersonalClientQuery = {}): Promise<Page<PersonalClient>> {
    return this.api.request(`${this.base}/me/oauth2-clients`, { query: { ...query } });
  }

  /** Every client, page after page. */
  iterate(query: Omit<PersonalClientQuery, 'cursor'> = {}): AsyncGenerator<PersonalClient> {
    return paginate((cursor) => this.list({ ...query, cursor }));
  }

  get(clientRecordId: string): Promise<PersonalClient> {
    return this.api.request(`${this.base}/me/oauth2-clients/${id(clientRecordId)}`);
  }

  /**
   * `expiresAt`: a Date or ISO 8601 string (a date, YYYY-MM-DD, is the end of that day in UTC), within
   * the domain's maximum lifetime. `scopes`: a subset of the scopes you hold now; left out (or null)
   * for all of your permissions.
   */
  create(input: { name: string; expiresAt: Date | string; scopes?: string[] | null }): Promise<CreatedPersonalClient> {
    const expiresAt = input.expiresAt instanceof Date ? input.expiresAt.toISOString() : input.expiresAt;
    const body = { name: input.name, expiresAt, ...(input.scopes ? { scopes: input.scopes } : {}) };
    return this.api.request(`${this.base}/me/oauth2-clients`, { method: 'POST', body });
  }

  /** Revokes the client immediately (`id` is the record id, not the client id). */
  async delete(clientRecordId: string): Promise<void> {
    await this.api.request(`${this.base}/me/oauth2-clients/${id(clientRecordId)}`, { method: 'DELETE' });
  }

  /**
   * A new secret for the client, keeping its client id: returned only this once. The old secret (and
   * the tokens it obtained) stops working at once, or after `overlapSeconds` (at most 24 h).
   */
  rotate(clientRecordId: string, options: RotateOptions = {}): Promise<RotatedPersonalClient> {
    return this.api.request(`${this.base}/me/oauth2-clients/${id(clientRecordId)}/rotate`, {
      method: 'POST',
      body: rotateBody(options),
    });
  }
}

const rotateBody = (options: RotateOptions) =>
  options.overlapSeconds === undefined ? {} : { overlapSeconds: options.overlapSeconds };

export interface ManagedPersonalClientQuery extends ListQuery {
  ownerEmail?: string;
  ownerId?: string;
  /** Part of the name. */
  name?: string;
  status?: PersonalClientStatus;
  sort?: 'name' | 'owner' | 'clientId' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'status';
}

/** Every user's personal OAuth2 clients (domain managers, `/oauth2-clients`). */
export class DomainClientsApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
  ) {}

  list(query: ManagedPersonalClientQuery = {}): Promise<Page<ManagedPersonalClient>> {
    return this.api.request(`${this.base}/oauth2-clients`, { query: { ...query } });
  }

  iterate(query: Omit<ManagedPersonalClientQuery, 'cursor'> = {}): AsyncGenerator<ManagedPersonalClient> {
    return paginate((cursor) => this.list({ ...query, cursor }));
  }

  /** Revokes any user's client immediately. */
  async revoke(clientRecordId: string): Promise<void> {
    await this.api.request(`${this.base}/oauth2-clients/${id(clientRecordId)}`, { method: 'DELETE' });
  }

  /**
   * Rotates any user's client (not one of an account with more power): the new secret is returned
   * to you only this once, and the owner is told by email.
   */
  rotate(clientRecordId: string, options: RotateOptions = {}): Promise<RotatedPersonalClient & ManagedPersonalClient> {
    return this.api.request(`${this.base}/oauth2-clients/${id(clientRecordId)}/rotate`, {
      method: 'POST',
      body: rotateBody(options),
    });
  }
}

/** Stale credentials across the domain: personal clients and applications (domain managers). */
export class StaleCredentialsApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
  ) {}

  list(query: StaleQuery): Promise<Page<StaleCredential>> {
    return this.api.request(`${this.base}/stale-credentials`, { query: { ...query } });
  }

  iterate(query: Omit<StaleQuery, 'cursor'>): AsyncGenerator<StaleCredential> {
    return paginate((cursor) => this.list({ ...query, cursor }));
  }
}

/** The domain's users (domain managers). */
export class UsersApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
  ) {}

  list(query: UserQuery = {}): Promise<Page<User>> {
    return this.api.request(`${this.base}/users`, { query: { ...query } });
  }

  iterate(query: Omit<UserQuery, 'cursor'> = {}): AsyncGenerator<User> {
    return paginate((cursor) => this.list({ ...query, cursor }));
  }

  get(userId: string): Promise<User> {
    return this.api.request(`${this.base}/users/${id(userId)}`);
  }

  invite(input: InviteUser): Promise<User> {
    return this.api.request(`${this.base}/users`, { method: 'POST', body: input });
  }

  update(userId: string, patch: UserPatch): Promise<User> {
    return this.api.request(`${this.base}/users/${id(userId)}`, { method: 'PATCH', body: patch });
  }
}

/** Confidential applications (domain managers). */
export class AppsApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
    private readonly wording: Wording = SDK_WORDING,
  ) {}

  list(query: AppQuery = {}): Promise<Page<App>> {
    return this.api.request(`${this.base}/apps`, { query: { ...query } });
  }

  iterate(query: Omit<AppQuery, 'cursor'> = {}): AsyncGenerator<App> {
    return paginate((cursor) => this.list({ ...query, cursor }));
  }

  get(appId: string): Promise<App> {
    return this.api.request(`${this.base}/apps/${id(appId)}`);
  }

  create(input: NewApp): Promise<AppWithSecret> {
    return this.api.request(`${this.base}/apps`, { method: 'POST', body: input });
  }

  update(appId: string, patch: Partial<NewApp>): Promise<App> {
    return this.api.request(`${this.base}/apps/${id(appId)}`, { method: 'PATCH', body: patch });
  }

  async delete(appId: string): Promise<void> {
    await this.api.request(`${this.base}/apps/${id(appId)}`, { method: 'DELETE' });
  }

  /**
   * A new secret, same client id. With no overlap (the default) the old secret and every refresh
   * token of the app die at once; with `overlapSeconds` (at most 24 h) they keep working until it
   * ends, and a refresh token refreshed with the new secret meanwhile lives on.
   */
  rotateSecret(appId: string, options: RotateOptions = {}): Promise<AppWithSecret> {
    return this.api.request(`${this.base}/apps/${id(appId)}/secret`, { method: 'POST', body: rotateBody(options) });
  }

  activate(appId: string): Promise<App> {
    return this.api.request(`${this.base}/apps/${id(appId)}/activate`, { method: 'POST' });
  }

  deactivate(appId: string): Promise<App> {
    return this.api.request(`${this.base}/apps/${id(appId)}/deactivate`, { method: 'POST' });
  }

  /** Generates the `.tok` document (an access token and, by default, a refresh token); `out` writes it with mode 0600. */
  async generateTokens(appId: string, options: GenerateTokens = {}): Promise<TokFile> {
    if (options.out && !options.overwrite && existsSync(options.out)) {
      throw new LatchkeyConfigError(`${options.out} exists; ${this.wording.overwrite} to replace it`);
    }
    const scopes = options.scopes ?? (await this.get(appId)).scopes;
    const doc = await this.api.request<TokFile>(`${this.base}/apps/${id(appId)}/tokens`, {
      method: 'POST',
      body: { scopes, includeRefreshToken: options.includeRefreshToken ?? true },
    });
    if (options.out) await writeTokFile(options.out, doc);
    return doc;
  }
}

/** The domain's settings (domain managers). */
export class SettingsApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
  ) {}

  get(): Promise<Settings> {
    return this.api.request(`${this.base}/settings`);
  }

  update(patch: Partial<Settings>): Promise<Settings> {
    return this.api.request(`${this.base}/settings`, { method: 'PATCH', body: patch });
  }
}

export interface SigningKey {
  kid: string;
  /** next: published, signs from the next rotation on; active: signs new tokens; retired: published until its tokens expire. */
  status: 'next' | 'active' | 'retired';
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
  /** When a retired key leaves the JWKS. */
  unpublishedAt: string | null;
  publicJwk: Record<string, unknown>;
}

/** The domain's token-signing keys (domain managers). */
export class SigningKeysApi {
  constructor(
    private readonly api: Requester,
    private readonly base: string,
  ) {}

  async list(): Promise<SigningKey[]> {
    return (await this.api.request<{ items: SigningKey[] }>(`${this.base}/signing-keys`)).items;
  }

  /**
   * Rotates now: the next key signs from now on; returns its kid and every published key. The
   * previous key stays published until its tokens expire; `compromised: true` (after a suspected
   * leak) unpublishes every key at once instead, so tokens signed before are refused.
   */
  rotate(options: { compromised?: boolean } = {}): Promise<{ kid: string; items: SigningKey[] }> {
    return this.api.request(`${this.base}/signing-keys/rotate`, {
      method: 'POST',
      ...(options.compromised ? { body: { compromised: true } } : {}),
    });
  }
}
