import { requestToken, type ClientAuth } from '../lib/token-endpoint.js';
import type { AccessToken } from './types.js';
import { scopeParam } from './password.js';
import { fromTokenResponse, type GrantContext, type TokenSource } from './types.js';

export interface ClientCredentials {
  /** A personal OAuth2 client's (or an application's) client id. */
  clientId: string;
  clientSecret: string;
  scope?: string | string[];
}

/**
 * client_credentials with HTTP Basic authentication: a personal client acts with its owner's
 * permissions, an application with its own. No refresh token: a new access token is simply requested.
 */
export class ClientCredentialsSource implements TokenSource {
  readonly kind = 'client_credentials' as const;
  readonly #ctx: GrantContext;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #scope: Record<string, string>;

  constructor(ctx: GrantContext, credentials: ClientCredentials) {
    this.#ctx = ctx;
    this.#clientId = credentials.clientId;
    this.#clientSecret = credentials.clientSecret;
    this.#scope = scopeParam(credentials.scope);
    ctx.http.secrets.pin(credentials.clientSecret);
  }

  async obtain(): Promise<AccessToken> {
    const response = await requestToken(
      this.#ctx.http,
      this.#ctx.tokenEndpoint,
      { method: 'basic', clientId: this.#clientId, clientSecret: this.#clientSecret },
      { grant_type: 'client_credentials', ...this.#scope },
      `client ${this.#clientId} could not get a token`,
    );
    return fromTokenResponse(response, this.#ctx.now());
  }

  async revoke(): Promise<boolean> {
    return false;
  }

  async confidentialAuth(): Promise<ClientAuth & { method: 'basic' }> {
    return { method: 'basic', clientId: this.#clientId, clientSecret: this.#clientSecret };
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, clientId: this.#clientId };
  }
}
