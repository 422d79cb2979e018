// Verification failures as data: each has a stable `code` that programs branch on, an HTTP status,
// and a message for people. The HTTP adapters only serialise them (see http.ts).

export type TokenErrorCode =
  | 'ERR_TOKEN_MISSING'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_ALGORITHM'
  | 'ERR_TOKEN_TYPE'
  | 'ERR_TOKEN_SIGNATURE'
  | 'ERR_TOKEN_UNKNOWN_KEY'
  | 'ERR_TOKEN_ISSUER'
  | 'ERR_TOKEN_AUDIENCE'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_LIFETIME'
  | 'ERR_TOKEN_CLAIMS'
  | 'ERR_TOKEN_INACTIVE'
  | 'ERR_UNKNOWN_TENANT'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE';

/** Base class of everything the verifier throws on purpose. */
export abstract class TokenVerificationError extends Error {
  abstract readonly code: TokenErrorCode;
  abstract readonly status: 401 | 403 | 503;
  /** The RFC 6750 `error` attribute of the challenge; undefined when the request had no token. */
  abstract readonly oauthError: 'invalid_token' | 'insufficient_scope' | undefined;
}

/** No bearer token at all (RFC 6750 §3.1: the challenge then carries no error code). */
export class MissingToken extends TokenVerificationError {
  readonly code = 'ERR_TOKEN_MISSING' as const;
  readonly status = 401 as const;
  readonly oauthError = undefined;
  constructor(message = 'Missing access token: send "Authorization: Bearer <token>"') {
    super(message);
    this.name = 'MissingToken';
  }
}

export type InvalidTokenCode = Exclude<
  TokenErrorCode,
  'ERR_TOKEN_MISSING' | 'ERR_INSUFFICIENT_SCOPE' | 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE'
>;

/** Any token this API must not trust: malformed, badly signed, wrong issuer or audience, expired, revoked. */
export class InvalidToken extends TokenVerificationError {
  readonly status = 401 as const;
  readonly oauthError = 'invalid_token' as const;
  constructor(
    readonly code: InvalidTokenCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InvalidToken';
  }
}

/** A valid token that lacks a scope the endpoint needs. */
export class InsufficientScope extends TokenVerificationError {
  readonly code = 'ERR_INSUFFICIENT_SCOPE' as const;
  readonly status = 403 as const;
  readonly oauthError = 'insufficient_scope' as const;
  constructor(
    readonly required: readonly string[],
    readonly granted: readonly string[],
  ) {
    const missing = required.filter((s) => !granted.includes(s));
    super(
      `Insufficient scope: this endpoint needs scope ${missing.map((s) => `"${s}"`).join(' and ')}` +
        (granted.length ? `, the token has ${granted.map((s) => `"${s}"`).join(', ')}` : ', the token has none'),
    );
    this.name = 'InsufficientScope';
  }
}

/**
 * The authorization server's metadata, keys or introspection could not be fetched. Verification
 * fails closed: the request is refused with 503, never let through.
 */
export class AuthorizationServerUnavailable extends TokenVerificationError {
  readonly code = 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE' as const;
  readonly status = 503 as const;
  readonly oauthError = undefined;
  /** Which call failed and how, for logs; the message (sent to clients) names no internal URL. */
  readonly detail: string | undefined;
  constructor(message: string, options?: { cause?: unknown; detail?: string }) {
    super(message, options);
    this.name = 'AuthorizationServerUnavailable';
    this.detail = options?.detail;
  }
}
