import { requestToken, revokeToken, type ClientAuth, type TokenResponse } from '../lib/token-endpoint.js';
import type { AccessToken } from './types.js';
import { SDK_CLIENT_ID, isDeadGrant } from './refresh-token.js';
import { fromTokenResponse, type GrantContext, type TokenSource } from './types.js';

export interface PasswordCredentials {
  email: string;
  password: string;
  /** Defaults to the public client `latchkey-sdk`. */
  clientId?: string;
  /** Space-separated or a list; defaults to everything the user's roles allow. */
  scope?: string | string[];
}

export const scopeParam = (scope: string | string[] | undefined): Record<string, string> =>
  scope === undefined ? {} : { scope: Array.isArray(scope) ? scope.join(' ') : scope };

/**
 * The password grant with the public SDK client. The refresh token it returns is kept in memory and
 * rotated on each refresh; when it dies (revoked, expired) the client signs in with the password again.
 */
export class PasswordSource implements TokenSource {
  readonly kind = 'password' as const;
  readonly #ctx: GrantContext;
  readonly #email: string;
  readonly #password: string;
  readonly #auth: ClientAuth;
  readonly #scope: Record<string, string>;
  #refreshToken: string | undefined;

  constructor(ctx: GrantContext, credentials: PasswordCredentials) {
    this.#ctx = ctx;
    this.#email = credentials.email;
    this.#password = credentials.password;
    this.#auth = { method: 'none', clientId: credentials.clientId ?? SDK_CLIENT_ID };
    this.#scope = scopeParam(credentials.scope);
    ctx.http.secrets.pin(credentials.password);
  }

  /** The current refresh token (the CLI's `login` stores it). */
  get refreshToken(): string | undefined {
    return this.#refreshToken;
  }

  async obtain(): Promise<AccessToken> {
    const { http, tokenEndpoint } = this.#ctx;
    if (this.#refreshToken) {
      try {
        return this.#keep(
          await requestToken(
            http,
            tokenEndpoint,
            this.#auth,
            { grant_type: 'refresh_token', refresh_token: this.#refreshToken },
            `refreshing the session of ${this.#email} failed`,
          ),
        );
      } catch (err) {
        if (!isDeadGrant(err)) throw err;
        this.#refreshToken = undefined; // sign in again below
      }
    }
    return this.#keep(
      await requestToken(
        http,
        tokenEndpoint,
        this.#auth,
        { grant_type: 'password', username: this.#email, password: this.#password, ...this.#scope },
        `signing in as ${this.#email} failed`,
      ),
    );
  }

  #keep(response: TokenResponse): AccessToken {
    if (response.refresh_token) this.#refreshToken = response.refresh_token;
    return fromTokenResponse(response, this.#ctx.now());
  }

  async revoke(): Promise<boolean> {
    if (!this.#refreshToken) return false;
    await revokeToken(this.#ctx.http, this.#ctx.revocationEndpoint, this.#auth, this.#refreshToken, 'refresh_token');
    this.#refreshToken = undefined;
    return true;
  }

  /** The public SDK client (or the given one) has no secret to introspect with. */
  async confidentialAuth(): Promise<undefined> {
    return undefined;
  }

  toJSON(): Record<string, string> {
    return { kind: this.kind, email: this.#email };
  }
}
