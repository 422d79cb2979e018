import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import { isUniqueViolation, validationDetail } from '../http/errors.js';
import { StoreUnavailable } from '../store/index.js';

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
  constructor(description: string) {
    super('invalid_request', description);
  }
}

/** 401; when the client tried HTTP Basic, the response must carry a matching WWW-Authenticate. */
export class InvalidClient extends OAuthError {
  constructor(description: string, basic = false) {
    super(
      'invalid_client',
      description,
      401,
      basic ? { 'WWW-Authenticate': 'Basic realm="latchkey", charset="UTF-8"' } : {},
    );
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', description);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super('unauthorized_client', description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', description);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super('invalid_scope', description);
  }
}

/** RFC 8693 §2.2.2 (RFC 8707): the audience or resource asked for is unknown here. */
export class InvalidTarget extends OAuthError {
  constructor(description: string) {
    super('invalid_target', description);
  }
}

export class UnsupportedTokenType extends OAuthError {
  constructor(description: string) {
    super('unsupported_token_type', description);
  }
}

/** Throttled credential attempts: 429 with Retry-After. */
export class TooManyAttempts extends OAuthError {
  constructor(retryAfterSeconds: number) {
    super('temporarily_unavailable', `Too many failed attempts; retry after ${retryAfterSeconds} seconds`, 429, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/** What each domain refusal is called in RFC 6749 terms (§5.2), with its status. */
const FROM_DOMAIN: Record<DomainErrorCode, [error: string, status: number]> = {
  invalid: ['invalid_request', 400],
  not_found: ['invalid_request', 404],
  conflict: ['invalid_request', 409],
  forbidden: ['unauthorized_client', 400],
  throttled: ['temporarily_unavailable', 429],
  grant_refused: ['invalid_grant', 400],
  scope_refused: ['invalid_scope', 400],
};

export function toOAuthError(err: DomainError): OAuthError {
  const [error, status] = FROM_DOMAIN[err.code];
  const headers: Record<string, string> =
    err.retryAfterSeconds !== undefined ? { 'Retry-After': String(err.retryAfterSeconds) } : {};
  return new OAuthError(error, err.message, status, headers);
}

function send(reply: FastifyReply, err: OAuthError): FastifyReply {
  reply.oauthError = err.error;
  return reply
    .code(err.status)
    .headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...err.headers })
    .send({ error: err.error, error_description: err.description });
}

/** The OAuth plugin's own error handler: every error an OAuth endpoint raises becomes an RFC 6749 error object. */
export function registerOAuthErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof OAuthError) return send(reply, err);
    if (err instanceof DomainError) return send(reply, toOAuthError(err));
    // The database is away (told once per outage by the store, not per request): retry shortly.
    if (err instanceof StoreUnavailable) {
      return send(
        reply,
        new OAuthError('temporarily_unavailable', err.detail, 503, { 'Retry-After': String(err.retryAfterSeconds) }),
      );
    }
    // Two concurrent writes raced past the domain's own duplicate check; the database decided.
    if (isUniqueViolation(err))
      return send(reply, new OAuthError('invalid_request', 'conflicting concurrent request', 409));
    if (err.validation) return send(reply, new OAuthError('invalid_request', validationDetail(err)));
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, 'unhandled error');
      return send(reply, new OAuthError('server_error', 'The server could not complete the request', 500));
    }
    // Fastify's own client errors: unsupported media type, malformed body, body too large.
    return send(reply, new OAuthError('invalid_request', err.message, status === 413 ? 413 : 400));
  });
}
