import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from '../config.js';
import { problemCodeMeanings } from './problem.js';
import { cookieName } from './cookies.js';

/**
 * The reference page runs Swagger UI's own files only: no inline or foreign script, no framing
 * (clickjacking the "Try it out" buttons), requests only to this origin. Its React renders style
 * attributes; its icons are data: images.
 */
const DOCS_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a generated document of any shape, walked key by key
type Json = Record<string, any>;

/** Object fields of a request schema that have a default are optional: validation fills them in. */
function relaxSchema(schema: Json | undefined): void {
  if (!schema || typeof schema !== 'object') return;
  const props: Json = schema.properties ?? {};
  if (Array.isArray(schema.required)) {
    schema.required = schema.required.filter((k: string) => !(props[k] && 'default' in props[k]));
    if (schema.required.length === 0) delete schema.required;
  }
  for (const v of Object.values(props)) relaxSchema(v);
  for (const k of ['allOf', 'anyOf', 'oneOf']) for (const sub of schema[k] ?? []) relaxSchema(sub);
  relaxSchema(schema.items);
}

/**
 * A route schema lists defaulted properties as required (the validator then fills them in), but a
 * caller may leave them out: the document says so for parameters and request bodies.
 */
export function defaultsAreOptional(doc: Json): Json {
  for (const item of Object.values<Json>(doc.paths ?? {})) {
    for (const op of Object.values<Json>(item)) {
      if (!op || typeof op !== 'object') continue;
      for (const p of op.parameters ?? []) if (p.in !== 'path' && p.schema && 'default' in p.schema) delete p.required;
      for (const media of Object.values<Json>(op.requestBody?.content ?? {})) relaxSchema(media.schema);
    }
  }
  return doc;
}

/**
 * The OpenAPI 3.1 document is generated from the route schemas and served at /openapi.json,
 * with a readable reference page at /docs.
 */
export async function registerOpenApi(app: FastifyInstance, config: Pick<Config, 'publicUrl'>): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey management API',
        version: '1.0.0',
        description:
          'Tenants, users, roles, settings, personal OAuth2 clients and applications. ' +
          'Authenticate with a bearer access token from the tenant token endpoint or the console session cookie ' +
          '(send X-CSRF-Token on unsafe methods).\n\n' +
          'Every error is an RFC 9457 problem document whose `code` is stable (branch on it, not on `detail`); ' +
          '`type` is https://latchkey.dev/problems/ and the code in kebab-case. On a 401, only `token_expired` and ' +
          '`token_unknown_key` are mended by a new access token. The codes:\n\n' +
          problemCodeMeanings(),
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: cookieName(config, 'lk_session') },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    // Shared schemas (app.addSchema) become components named by their $id: `#/components/schemas/Problem`.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    transformObject: (document) =>
      defaultsAreOptional('openapiObject' in document ? document.openapiObject : document.swaggerObject),
  });
  await app.register(async (docs) => {
    docs.addHook('onSend', async (_request, reply) => {
      reply.headers(DOCS_HEADERS);
    });
    // No badge from validator.swagger.io: the page talks to this origin only.
    await docs.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
