import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from './problem.js';
import { DomainError } from '../domain/errors.js';
import { InvalidCursorError, StoreUnavailable } from '../store/index.js';

const DOMAIN_STATUS = { invalid: 400, not_found: 404, conflict: 409, forbidden: 403, throttled: 429, grant_refused: 400, scope_refused: 400 } as const;
const DOMAIN_TITLE = {
  invalid: 'Bad Request', not_found: 'Not Found', conflict: 'Conflict', forbidden: 'Forbidden', throttled: 'Too Many Requests',
  grant_refused: 'Bad Request', scope_refused: 'Bad Request',
} as const;

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/**
 * The values a fixed set allows at the first error's place. A union of literals (grant types, sort
 * keys, statuses) fails once per literal with "must be equal to constant": gather them all.
 */
function allowedValues(issues: ValidationIssue[], first: ValidationIssue): unknown[] | undefined {
  const fixed = (i: ValidationIssue) => i.instancePath === first.instancePath && (i.keyword === 'const' || i.keyword === 'enum');
  if (!fixed(first)) return undefined;
  const values = issues.filter(fixed).flatMap((i) => {
    const p = i.params as { allowedValue?: unknown; allowedValues?: unknown[] };
    return i.keyword === 'const' ? [p.allowedValue] : (p.allowedValues ?? []);
  });
  return [...new Set(values)];
}

export function validationDetail(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.message;
  const where = err.validationContext ?? 'body';
  const path = first.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  const missing = (first.params as { missingProperty?: string })?.missingProperty;
  const additional = (first.params as { additionalProperty?: string })?.additionalProperty;
  if (missing) return `${where}${path ? '.' + path : ''}.${missing} is required`;
  if (additional) return `${where}${path ? '.' + path : ''}.${additional} is not allowed`;
  const allowed = allowedValues(err.validation!, first);
  if (allowed) return `${where}${path ? '.' + path : ''} must be ${allowed.length === 1 ? '' : 'one of: '}${allowed.map(String).join(', ')}`;
  return `${where}${path ? '.' + path : ''} ${first.message}`;
}

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Thrown errors become problem documents. The OAuth endpoints are a plugin with an error handler
 * of their own (oauth/errors.ts), which answers RFC 6749 error objects instead. Unexpected errors
 * are logged and never leak details.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof Problem) return reply.code(err.status).headers(err.headers).type('application/problem+json').send(err.toJSON());
    if (err instanceof DomainError) {
      const p = new Problem(DOMAIN_STATUS[err.code], DOMAIN_TITLE[err.code], err.message, err.problem);
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(p.status).type('application/problem+json').send(p.toJSON());
    }
    if (err instanceof StoreUnavailable) {
      // Told once per outage where the store noticed it (db.ts), not once per request here.
      const p = new Problem(503, 'Service Unavailable', err.detail, 'store-unavailable', {}, { 'retry-after': String(err.retryAfterSeconds) });
      return reply.code(503).headers(p.headers).type('application/problem+json').send(p.toJSON());
    }
    if (err instanceof InvalidCursorError) {
      const p = new Problem(400, 'Bad Request', err.message, 'invalid-cursor');
      return reply.code(400).type('application/problem+json').send(p.toJSON());
    }
    if (isUniqueViolation(err)) {
      // Two concurrent writes raced past the domain's own duplicate check; the database decided.
      const p = new Problem(409, 'Conflict', 'a conflicting record was created at the same time; it already exists', 'conflict');
      return reply.code(409).type('application/problem+json').send(p.toJSON());
    }
    if (err.validation) {
      const detail = validationDetail(err);
      return reply.code(400).type('application/problem+json').send(new Problem(400, 'Bad Request', detail, 'validation').toJSON());
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, 'unhandled error');
      return reply.code(500).type('application/problem+json').send(new Problem(500, 'Internal Server Error', 'The server could not complete the request', 'internal').toJSON());
    }
    // Fastify's own client errors: unsupported media type, malformed JSON, body too large.
    const title = status === 415 ? 'Unsupported Media Type' : status === 413 ? 'Payload Too Large' : 'Bad Request';
    return reply.code(status).type('application/problem+json').send(new Problem(status, title, err.message, 'request').toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const p = new Problem(404, 'Not Found', `no route for ${request.method} ${request.url.split('?')[0]}`, 'no-route');
    return reply.code(404).type('application/problem+json').send(p.toJSON());
  });
}
