import type { HttpOptions } from '../lib/http.js';
import { jwtExpiry, jwtIssuedAt } from '../lib/jwt.js';
import type { ClientAuth, TokenResponse } from '../lib/token-endpoint.js';
import type { Wording } from '../wording.js';

/** An access token and when it stops working (ms since the epoch; undefined when unknown). */
export interface AccessToken {
  value: string;
  expiresAt: number | undefined;
  /** When it was obtained or issued, to know its lifetime. */
  issuedAt: number;
}

export type CredentialKind = 'password' | 'client_credentials' | 'token_file' | 'refresh_token' | 'jwt_assertion';

/** Told after a rotated refresh token was written to its file or profile, before the new access token is used. */
export interface RefreshPersistedEvent {
  kind: CredentialKind;
  /** Where it was written: a token file path or `profile NAME in PATH`. */
  location: string;
}

/** What credential strategies get from the client. */
export interface GrantContext {
  http: HttpOptions;
  tokenEndpoint: string;
  revocationEndpoint: string;
  now(): number;
  isFresh(token: AccessToken): boolean;
  onRefreshPersisted?: (event: RefreshPersistedEvent) => void | Promise<void>;
  wording: Wording;
}

export interface ObtainRequest {
  stale?: string;
  force?: boolean;
}

/** One way of getting access tokens: a grant, plus where its refresh token lives. */
export interface TokenSource {
  readonly kind: CredentialKind;
  /**
   * A usable access token other than `stale` (the one being replaced): one already stored by another
   * holder of the same file, or a new one from the token endpoint. `force`: always a new one.
   */
  obtain(request: ObtainRequest): Promise<AccessToken>;
  /** Revokes the refresh token held, if any; false when there was none. */
  revoke(): Promise<boolean>;
  /** The client id and secret of a confidential client (a personal client, an application); undefined for public ones. */
  confidentialAuth(): Promise<(ClientAuth & { method: 'basic' }) | undefined>;
}

export function fromTokenResponse(r: TokenResponse, now: number): AccessToken {
  const expiresIn = typeof r.expires_in === 'number' && r.expires_in > 0 ? r.expires_in : undefined;
  return {
    value: r.access_token,
    expiresAt: expiresIn === undefined ? jwtExpiry(r.access_token) : now + expiresIn * 1000,
    issuedAt: now,
  };
}

/** A stored access token (from a file), when its expiry can be read. */
export function fromStoredJwt(token: string | undefined, now: number): AccessToken | undefined {
  if (!token) return undefined;
  const expiresAt = jwtExpiry(token);
  if (expiresAt === undefined) return undefined;
  return { value: token, expiresAt, issuedAt: jwtIssuedAt(token) ?? now };
}
