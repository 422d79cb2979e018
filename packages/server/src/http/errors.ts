import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from './problem.js';
import { DomainError } from '../domain/errors.js';
import { InvalidCursorError, StoreUnavailable } from '../store/index.js';

type ValidationIssue = NonNullable<FastifyError['validation']>[number];

/**
 * The values a fixed set allows at the first error's place. A union of literals (grant types, sort
 * keys, statuses) fails once per literal with "must be equal to constant": gather them all.
 */
function allowedValues(issues: ValidationIssue[], first: ValidationIssue): unknown[] | undefined {
  const fixed = (i: ValidationIssue) =>
    i.instancePath === first.instancePath && (i.keyword === 'const' || i.keyword === 'enum');
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
  if (allowed)
    return `${where}${path ? '.' + path : ''} must be ${allowed.length === 1 ? '' : 'one of: '}${allowed.map(String).join(', ')}`;
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
    if (err instanceof Problem)
      return reply.code(err.status).headers(err.headers).type('application/problem+json').send(err.toJSON());
    // A domain error's code is the problem's code (its more specific one when it has one).
    if (err instanceof DomainError) {
      const p = new Problem(err.problem ?? err.code, err.message);
      if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
      return reply.code(p.status).type('application/problem+json').send(p.toJSON());
    }
    if (err instanceof StoreUnavailable) {
      // Told once per outage where the store noticed it (db.ts), not once per request here.
      const p = new Problem('store_unavailable', err.detail, {}, { 'retry-after': String(err.retryAfterSeconds) });
      return reply.code(503).headers(p.headers).type('application/problem+json').send(p.toJSON());
    }
    if (err instanceof InvalidCursorError) {
      const p = new Problem('invalid_cursor', err.message);
      return reply.code(400).type('application/problem+json').send(p.toJSON());
    }
    if (isUniqueViolation(err)) {
      // Two concurrent writes raced past the domain's own duplicate check; the database decided.
      const p = new Problem('conflict', 'a conflicting record was created at the same time; it already exists');
      return reply.code(409).type('application/problem+json').send(p.toJSON());
    }
    if (err.validation) {
      const detail = validationDetail(err);
      return reply.code(400).type('application/problem+json').send(new Problem('invalid', detail).toJSON());
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, 'unhandled error');
      return reply
        .code(500)
        .type('application/problem+json')
        .send(new Problem('internal', 'The server could not complete the request').toJSON());
    }
    // Fastify's own client errors: unsupported media type, malformed JSON, body too large.
    const code = status === 415 ? 'unsupported_media_type' : status === 413 ? 'payload_too_large' : 'invalid';
    return reply
      .code(status)
      .type('application/problem+json')
      .send(new Problem(code, err.message, {}, {}, status).toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    // The path as asked (at a tenant host, request.url is the tenant's path it was routed to).
    const p = new Problem('no_route', `no route for ${request.method} ${request.originalUrl.split('?')[0]}`);
    return reply.code(404).type('application/problem+json').send(p.toJSON());
  });
}
