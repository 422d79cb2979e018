import { LatchkeyAuthError, LatchkeyConfigError, LatchkeyTokenStoreError } from '../errors.js';
import { requestToken, revokeToken, type ClientAuth, type TokenResponse } from '../lib/token-endpoint.js';
import type { AccessToken } from './types.js';
import {
  fromStoredJwt,
  fromTokenResponse,
  type CredentialKind,
  type GrantContext,
  type ObtainRequest,
  type TokenSource,
} from './types.js';
import { oneOf } from '../wording.js';

/** The public client of every tenant, for the SDK, the CLI and scripts (password and refresh grants). */
export const SDK_CLIENT_ID = 'latchkey-sdk';

/** What a token store holds. */
export interface StoredTokens {
  refreshToken: string;
  /** The last access token, reused by the next holder while it is fresh. */
  accessToken?: string;
  /** The client the tokens belong to, when the store records it (a .tok file's `client_id`). */
  clientId?: string;
}

/**
 * Where a refresh token lives between uses. Rotation makes every refresh token single-use, so the new
 * one must be saved before anything else happens; `exclusive` keeps two holders of the same store
 * (two processes on one .tok file) from spending the same token.
 */
export interface TokenStore {
  /** For messages, e.g. `token file /home/me/app.tok`; never a secret. */
  readonly description: string;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  load(): Promise<StoredTokens>;
  /** Durably replaces the stored tokens (the response is there for stores that keep more fields). */
  save(tokens: StoredTokens, response: TokenResponse): Promise<void>;
}

/** A store in memory: rotation works for the life of the process only. */
export class MemoryTokenStore implements TokenStore {
  readonly description = 'memory';
  #tokens: StoredTokens;
  constructor(tokens: StoredTokens) {
    this.#tokens = { ...tokens };
  }
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async load(): Promise<StoredTokens> {
    return { ...this.#tokens };
  }
  async save(tokens: StoredTokens): Promise<void> {
    this.#tokens = { ...tokens };
  }
  toJSON(): string {
    return 'MemoryTokenStore';
  }
}

export interface RefreshTokenSourceOptions {
  kind: CredentialKind;
  store: TokenStore;
  /** The client id; when absent the store's (a .tok file's `client_id`), else `latchkey-sdk`. */
  clientId?: string;
  /** With a secret the client authenticates with HTTP Basic; without, it is public (`client_id` only). */
  clientSecret?: string;
  /** Whether a store without a client id may fall back to the public SDK client. */
  publicFallback: boolean;
}

/**
 * The refresh_token grant with rotation, over a token store. Under the store's lock it reloads the
 * store (another process may have refreshed already and left a fresh access token), refreshes, saves
 * the rotated refresh token durably, and only then hands out the new access token: a crash between
 * the refresh and the save is the only window in which a refresh token can be lost, and it is closed
 * before any use.
 */
export class RefreshTokenSource implements TokenSource {
  readonly kind: CredentialKind;
  readonly #store: TokenStore;
  readonly #ctx: GrantContext;
  readonly #clientId: string | undefined;
  readonly #clientSecret: string | undefined;
  readonly #publicFallback: boolean;
  /** Rotated tokens that could not be saved: kept so this process goes on working, saved at next use. */
  #unsaved: { tokens: StoredTokens; response: TokenResponse } | undefined;

  constructor(ctx: GrantContext, options: RefreshTokenSourceOptions) {
    this.kind = options.kind;
    this.#ctx = ctx;
    this.#store = options.store;
    this.#clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.#publicFallback = options.publicFallback;
    ctx.http.secrets.pin(options.clientSecret);
  }

  #auth(stored: StoredTokens): ClientAuth {
    if (this.#clientId && stored.clientId && this.#clientId !== stored.clientId) {
      throw new LatchkeyConfigError(
        `the ${this.#store.description} belongs to client ${stored.clientId}, but the configured client id is ${this.#clientId}`,
      );
    }
    const clientId = this.#clientId ?? stored.clientId ?? (this.#publicFallback ? SDK_CLIENT_ID : undefined);
    if (!clientId)
      throw new LatchkeyConfigError(
        `no client id for the ${this.#store.description}: use ${oneOf([this.#ctx.wording.field('clientId'), 'LATCHKEY_CLIENT_ID'])}`,
      );
    return this.#clientSecret
      ? { method: 'basic', clientId, clientSecret: this.#clientSecret }
      : { method: 'none', clientId };
  }

  async #save(tokens: StoredTokens, response: TokenResponse): Promise<void> {
    try {
      await this.#store.save(tokens, response);
      this.#unsaved = undefined;
    } catch (err) {
      this.#unsaved = { tokens, response };
      if (err instanceof LatchkeyConfigError || err instanceof LatchkeyTokenStoreError) throw err;
      throw new LatchkeyTokenStoreError(
        `the refresh token was rotated but could not be saved to the ${this.#store.description} (${(err as Error).message}); ` +
          'the one stored there is spent. This process keeps the new one and retries the save on its next refresh',
        { cause: err },
      );
    }
  }

  obtain({ stale, force }: ObtainRequest): Promise<AccessToken> {
    return this.#store.exclusive(async () => {
      if (this.#unsaved) await this.#save(this.#unsaved.tokens, this.#unsaved.response);
      const stored = await this.#store.load();
      this.#ctx.http.secrets.add(stored.refreshToken, stored.accessToken);
      const auth = this.#auth(stored);
      // Someone else (another process, an earlier run) left a good access token: use it, spend nothing.
      const kept =
        !force && stored.accessToken !== stale ? fromStoredJwt(stored.accessToken, this.#ctx.now()) : undefined;
      if (kept && this.#ctx.isFresh(kept)) return kept;

      const response = await requestToken(
        this.#ctx.http,
        this.#ctx.tokenEndpoint,
        auth,
        { grant_type: 'refresh_token', refresh_token: stored.refreshToken },
        `refreshing with the ${this.#store.description} failed`,
      );
      const obtainedAt = this.#ctx.now();
      const next: StoredTokens = {
        refreshToken: response.refresh_token ?? stored.refreshToken,
        accessToken: response.access_token,
        clientId: stored.clientId,
      };
      await this.#save(next, response);
      await this.#ctx.onRefreshPersisted?.({ kind: this.kind, location: this.#store.description });
      return fromTokenResponse(response, obtainedAt);
    });
  }

  revoke(): Promise<boolean> {
    return this.#store.exclusive(async () => {
      const stored = await this.#store.load();
      await revokeToken(
        this.#ctx.http,
        this.#ctx.revocationEndpoint,
        this.#auth(stored),
        stored.refreshToken,
        'refresh_token',
      );
      return true;
    });
  }

  async confidentialAuth(): Promise<(ClientAuth & { method: 'basic' }) | undefined> {
    const auth = this.#auth(await this.#store.load());
    return auth.method === 'basic' ? auth : undefined;
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, store: this.#store.description };
  }
}

/** True for the errors after which a refresh token is no use any more. */
export function isDeadGrant(err: unknown): boolean {
  return err instanceof LatchkeyAuthError && err.error === 'invalid_grant';
}
