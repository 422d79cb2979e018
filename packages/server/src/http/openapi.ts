import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { AppContext } from '../context.js';

/**
 * The OpenAPI 3.1 document is generated from the route schemas and served at /openapi.json,
 * with a readable reference page at /docs.
 */
export async function registerOpenApi(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Latchkey management API',
        version: '1.0.0',
        description: 'Tenants, users, roles, settings, personal OAuth2 clients and applications. ' +
          'Authenticate with a bearer access token from the tenant token endpoint or the console session cookie ' +
          '(send X-CSRF-Token on unsafe methods).',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: 'lk_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
