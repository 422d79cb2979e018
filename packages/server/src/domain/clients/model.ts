export type ClientKind = 'public' | 'personal' | 'app';
export type ClientStatus = 'active' | 'inactive' | 'revoked';

export const GRANT_PASSWORD = 'password';
export const GRANT_CLIENT_CREDENTIALS = 'client_credentials';
export const GRANT_REFRESH_TOKEN = 'refresh_token';
export const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Short names people type for grants; stored and announced as the full name. */
export const GRANT_SHORT_NAMES: Readonly<Record<string, string>> = { 'jwt-bearer': GRANT_JWT_BEARER };

/** The built-in public client every tenant has, used by the SDK and CLI for the password grant. */
export const SDK_CLIENT_ID = 'latchkey-sdk';

export interface Client {
  id: string;
  tenantId: string;
  clientId: string;
  kind: ClientKind;
  name: string;
  description: string;
  ownerUserId: string | null;
  secretHash: string | null;
  secretVersion: number;
  /**
   * After a rotation with an overlap: the replaced secret (version secretVersion - 1), as a hash,
   * and when it stops working. Null outside an overlap (see secret-rotation.ts).
   */
  previousSecretHash: string | null;
  previousSecretExpiresAt: number | null;
  grantTypes: string[];
  scopes: string[];
  jwks: { keys: Record<string, unknown>[] } | null;
  status: ClientStatus;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  firstUsedAt: number | null;
  lastUsedAt: number | null;
  /** Where the last use came from (address, user agent), cut to a bounded length. */
  lastUsedAddress: string | null;
  lastUsedUserAgent: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

export function isExpired(client: Client, now = Date.now()): boolean {
  return client.expiresAt !== null && client.expiresAt <= now;
}

/** Whether the secret a rotation replaced still works (its overlap has not ended). */
export function overlapLive(client: Client, now = Date.now()): boolean {
  return client.previousSecretExpiresAt !== null && client.previousSecretExpiresAt > now;
}
