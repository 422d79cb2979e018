/**
 * RFC 6749 §5.2 errors. Grants and endpoints throw these; the OAuth error handler writes
 * `{error, error_description}` with the status, headers and `Cache-Control: no-store`.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) { super('invalid_request', description); }
}

/** 401; when the client tried HTTP Basic, the response must carry a matching WWW-Authenticate. */
export class InvalidClient extends OAuthError {
  constructor(description: string, basic = false) {
    super('invalid_client', description, 401, basic ? { 'WWW-Authenticate': 'Basic realm="latchkey", charset="UTF-8"' } : {});
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) { super('invalid_grant', description); }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) { super('unauthorized_client', description); }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) { super('unsupported_grant_type', description); }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) { super('invalid_scope', description); }
}

export class UnsupportedTokenType extends OAuthError {
  constructor(description: string) { super('unsupported_token_type', description); }
}

/** Throttled credential attempts: 429 with Retry-After. */
export class TooManyAttempts extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super('temporarily_unavailable', `Too many failed attempts; retry after ${retryAfterSeconds} seconds`, 429,
      { 'Retry-After': String(retryAfterSeconds) });
  }
}
