import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * JSON request bodies. An empty body sent with `Content-Type: application/json` (what many HTTP
 * clients send for a bodiless POST such as `/activate`) means "no body"; routes that need one still
 * say so through their schema. Anything else goes to Fastify's own parser, which refuses
 * prototype-poisoning keys.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') return done(null, undefined);
    parse(request, body as string, done);
  });
}

/**
 * preValidation hook for routes whose body is all optional fields: no body (or an empty one) means
 * `{}`, every field at its default, so a bare `POST …/rotate` works like `{}`.
 */
export async function bodyOptional(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}
