/**
 * The longest identifiers and credentials Latchkey accepts. Longer values are refused where they
 * arrive, before any lookup, cache or throttle sees them (each of those keeps what it is given);
 * every real value is far shorter.
 */
export const MAX_LENGTH = {
  /** `lk_app_…` and `lk_pc_…` are 23 characters. */
  clientId: 128,
  /** Client secrets and refresh tokens: a prefix, 43 characters and a 6-character checksum. */
  secret: 256,
  email: 320,
  password: 1024,
  /** Signed JWTs: client assertions, jwt-bearer assertions, access tokens. */
  jwt: 16 * 1024,
  /** A caller's address as the throttles key it (an IPv6 address with a zone is under 64). */
  address: 64,
  /** A scope name, defined by a resource or asked for in a token request (see tokens/scope.ts). */
  scope: 100,
} as const;
