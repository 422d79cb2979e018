import { ClientCredentialsSource } from './credentials/client-credentials.js';
import { JwtAssertionSource } from './credentials/jwt-assertion.js';
import { PasswordSource } from './credentials/password.js';
import { MemoryTokenStore, RefreshTokenSource } from './credentials/refresh-token.js';
import { tokenFileSource } from './credentials/token-file.js';
import type { CredentialKind, GrantContext, RefreshPersistedEvent, TokenSource } from './credentials/types.js';
import { ProfileTokenStore, resolveSettings, type ResolvedCredentials, type SettingsInput } from './config.js';
import { LatchkeyConfigError } from './errors.js';
import { apiError, readBody, refreshMayMend, send, type FetchLike, type HttpOptions } from './lib/http.js';
import { SecretSet } from './lib/redact.js';
import { introspectToken, type Introspection } from './lib/token-endpoint.js';
import { VERSION } from './lib/version.js';
import { SDK_WORDING } from './wording.js';
import { tenantEndpoints } from './tenant-url.js';
import { TokenCache } from './token-cache.js';
import {
  AppsApi,
  PersonalClientsApi,
  DomainClientsApi,
  SettingsApi,
  SigningKeysApi,
  StaleCredentialsApi,
  UsersApi,
  type Me,
} from './api/management.js';
import { SampleApi } from './api/sample.js';
import type { RequestOptions, Requester } from './api/types.js';

export interface LatchkeyOptions extends SettingsInput {
  /** A fetch implementation (default: the global fetch). */
  fetch?: FetchLike;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Refresh this long before the access token expires (default 60 s, at most half its lifetime). */
  refreshSkewSeconds?: number;
  /**
   * Called after a rotated refresh token has been written to its token file or profile and before
   * the new access token is used. If it throws, the call fails, as if the process had crashed there.
   */
  onRefreshPersisted?: (event: RefreshPersistedEvent) => void | Promise<void>;
  /** The clock, in ms since the epoch (default Date.now). */
  now?: () => number;
  userAgent?: string;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A Latchkey client for one tenant: gets and refreshes access tokens from the credentials it was
 * given, and calls the management API, the sample API or any API with them.
 *
 * ```ts
 * const lk = new Latchkey({ baseUrl: 'http://127.0.0.1:8080', tenant: 'demo',
 *   credentials: { clientId: process.env.ID!, clientSecret: process.env.SECRET! } });
 * console.log((await lk.me()).email);
 * ```
 */
export class Latchkey implements Requester {
  readonly #settings: ReturnType<typeof resolveSettings>;
  readonly #http: HttpOptions;
  readonly #source: TokenSource | undefined;
  readonly #cache: TokenCache;

  /** Your own personal OAuth2 clients. */
  readonly clients: PersonalClientsApi;
  /** Every user's personal OAuth2 clients: list, revoke, rotate (domain managers). */
  readonly domainClients: DomainClientsApi;
  /** Personal clients and applications never used, unused for N days or expiring soon (domain managers). */
  readonly staleCredentials: StaleCredentialsApi;
  /** The domain's users (domain managers). */
  readonly users: UsersApi;
  /** Confidential applications (domain managers). */
  readonly apps: AppsApi;
  /** The domain's settings (domain managers). */
  readonly settings: SettingsApi;
  /** The domain's token-signing keys: list, rotate now (domain managers). */
  readonly signingKeys: SigningKeysApi;
  /** The sample protected API at `apiUrl`. */
  readonly sample: SampleApi;

  constructor(options: LatchkeyOptions = {}) {
    this.#settings = resolveSettings(options);
    const secrets = new SecretSet();
    this.#http = {
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 30_000,
      userAgent: options.userAgent ?? `latchkey-sdk/${VERSION} node/${process.versions.node}`,
      secrets,
    };
    const now = options.now ?? Date.now;
    const wording = options.wording ?? SDK_WORDING;
    let source: TokenSource | undefined;
    this.#cache = new TokenCache(
      (request) => {
        if (!source) throw new LatchkeyConfigError(wording.noCredentials);
        return source.obtain(request);
      },
      { refreshSkewMs: (options.refreshSkewSeconds ?? 60) * 1000, now },
    );
    const endpoints = tenantEndpoints(this.issuer);
    const ctx: GrantContext = {
      http: this.#http,
      tokenEndpoint: endpoints.token,
      revocationEndpoint: endpoints.revocation,
      now,
      isFresh: (t) => this.#cache.isFresh(t),
      onRefreshPersisted: options.onRefreshPersisted,
      wording,
    };
    source = this.#settings.credentials ? createSource(ctx, this.#settings.credentials) : undefined;
    this.#source = source;

    const api = endpoints.api;
    this.clients = new PersonalClientsApi(this, api);
    this.domainClients = new DomainClientsApi(this, api);
    this.staleCredentials = new StaleCredentialsApi(this, api);
    this.users = new UsersApi(this, api);
    this.apps = new AppsApi(this, api, wording);
    this.settings = new SettingsApi(this, api);
    this.signingKeys = new SigningKeysApi(this, api);
    this.sample = new SampleApi(this, this.apiUrl, this.tenant);
  }

  /** The authorization server, e.g. `http://127.0.0.1:8080`, or the tenant host's URL. */
  get baseUrl(): string {
    return this.#settings.baseUrl;
  }

  /** The tenant's name; undefined when the URL is the tenant's own (`https://acme.id.example.com`). */
  get tenant(): string | undefined {
    return this.#settings.tenant;
  }

  /** The sample (or your) API's base URL. */
  get apiUrl(): string {
    return this.#settings.apiUrl;
  }

  /** The tenant's issuer: `{baseUrl}/t/{tenant}`, or the tenant host's URL itself. */
  get issuer(): string {
    return this.#settings.issuer;
  }

  get tokenEndpoint(): string {
    return tenantEndpoints(this.issuer).token;
  }

  /** How this client gets tokens (`profile` is a stored `latchkey login`); undefined without credentials. */
  get credentialKind(): CredentialKind | 'profile' | undefined {
    return this.#settings.credentials?.kind;
  }

  /** The config-file profile that was used, if any. */
  get profile(): string | undefined {
    return this.#settings.profile;
  }

  /** The config file consulted (it may not exist). */
  get configPath(): string {
    return this.#settings.configPath;
  }

  /** A valid access token: cached, refreshed 60 s before expiry; `forceRefresh` gets a new one now. */
  getAccessToken(options: { forceRefresh?: boolean } = {}): Promise<string> {
    return this.#cache.get({ force: options.forceRefresh });
  }

  /**
   * fetch with `Authorization: Bearer …`. When the API answers 401 with a code a new token mends
   * (token_expired, ERR_TOKEN_EXPIRED…: see REFRESHABLE_CODES), the token is refreshed (once, shared
   * with concurrent callers) and the request sent again; any other 401 is returned as it is.
   * `url`: absolute, or a path starting with `/` on `baseUrl`.
   */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = this.#resolve(url);
    const token = await this.#cache.get();
    const res = await send(this.#http, target, withBearer(init, token));
    if (res.status !== 401 || isStream(init.body)) return res;
    const body = await readBody(res.clone()).catch(() => undefined);
    if (!refreshMayMend(res.status, body)) return res;
    const fresh = await this.#cache.get({ stale: token });
    return send(this.#http, target, withBearer(init, fresh));
  }

  /** A JSON request with automatic authentication; parsed answer, or LatchkeyApiError. */
  async request<T = unknown>(url: string, options: RequestOptions = {}): Promise<T> {
    const target = this.#resolve(url);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined && v !== null) target.searchParams.append(k, String(v));
    }
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      if (typeof options.body === 'string' || options.body instanceof Uint8Array) {
        body = options.body as BodyInit;
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
    }
    const method = options.method ?? 'GET';
    const res = await this.fetch(target, { method, headers, body, signal: options.signal });
    if (res.status === 204) return undefined as T;
    const parsed = await readBody(res);
    if (!res.ok) throw apiError(this.#http, method, target, res, parsed);
    return parsed as T;
  }

  /**
   * RFC 7662: whether the server still takes `token` (revoked, expired and ended grants are
   * `active: false`), asked as a confidential client: the given one, else this client's personal
   * client or application. No offline check can see a revocation: this asks the server.
   */
  async introspect(token: string, client?: { clientId: string; clientSecret: string }): Promise<Introspection> {
    const auth = client ? { method: 'basic' as const, ...client } : await this.#source?.confidentialAuth();
    if (!auth)
      throw new LatchkeyConfigError('introspection needs a confidential client: pass its client id and secret');
    this.#http.secrets.pin(auth.clientSecret);
    return introspectToken(this.#http, tenantEndpoints(this.issuer).introspection, auth, token);
  }

  /** Whether this client can introspect without being given a client (a personal client, an application). */
  async canIntrospect(): Promise<boolean> {
    return (await this.#source?.confidentialAuth()) !== undefined;
  }

  /** GET /me: the user the credentials act for (a personal client acts for its owner). */
  me(): Promise<Me> {
    return this.request<Me>(`${tenantEndpoints(this.issuer).api}/me`);
  }

  /** Revokes the refresh token held (password, stored login, token file!) and forgets the access token. */
  async logout(): Promise<boolean> {
    if (!this.#source) return false;
    const revoked = await this.#source.revoke();
    this.#cache.clear();
    return revoked;
  }

  #resolve(url: string | URL): URL {
    if (url instanceof URL) return new URL(url);
    if (/^https?:\/\//i.test(url)) return new URL(url);
    if (url.startsWith('/')) return new URL(this.#settings.baseUrl + url);
    throw new LatchkeyConfigError(`"${url}" is neither an absolute http(s) URL nor a path starting with /`);
  }

  /** What the client is, without a single secret. */
  toJSON(): Record<string, unknown> {
    return {
      baseUrl: this.baseUrl,
      tenant: this.tenant ?? null,
      issuer: this.issuer,
      apiUrl: this.apiUrl,
      credentials: this.credentialKind ?? null,
      profile: this.profile ?? null,
    };
  }

  toString(): string {
    return `Latchkey(${this.issuer}, ${this.credentialKind ?? 'no credentials'})`;
  }

  [INSPECT](): string {
    return `Latchkey ${JSON.stringify(this.toJSON())}`;
  }
}

function createSource(ctx: GrantContext, c: ResolvedCredentials): TokenSource {
  switch (c.kind) {
    case 'password':
      return new PasswordSource(ctx, c);
    case 'client_credentials':
      return new ClientCredentialsSource(ctx, c);
    case 'token_file':
      return tokenFileSource(ctx, c);
    case 'refresh_token':
      return new RefreshTokenSource(ctx, {
        kind: 'refresh_token',
        store: c.store ?? new MemoryTokenStore({ refreshToken: c.refreshToken }),
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        publicFallback: true,
      });
    case 'jwt_assertion':
      return new JwtAssertionSource(ctx, c);
    case 'profile':
      return new RefreshTokenSource(ctx, {
        kind: 'refresh_token',
        store: new ProfileTokenStore(c.configPath, c.profile),
        clientId: c.clientId,
        clientSecret: c.clientSecret,
        publicFallback: true,
      });
  }
}

function withBearer(init: RequestInit, token: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return { ...init, headers };
}

function isStream(body: unknown): boolean {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;
}
