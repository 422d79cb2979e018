import Fastify, { LogController, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import type { AppContext } from './context.js';
import { registerErrorHandling } from './http/errors.js';
import { healthRoutes } from './http/routes/health.js';
import { oauthRoutes } from './oauth/routes.js';
import { managementRoutes } from './http/routes/index.js';
import { registerOpenApi } from './http/openapi.js';
import { consoleRoutes } from './http/console.js';
import './http/types.js';

export interface BuildOptions {
  logger?: boolean | object;
}

/** Builds the HTTP application: OAuth endpoints, management API, console, docs and health checks. */
export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Per-request log lines cost more than a token on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
    trustProxy: process.env.TRUST_PROXY === '1',
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  app.decorateRequest('tenant', null as never);
  app.decorateRequest('auth', null);
  registerErrorHandling(app);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(cookie);
  await registerOpenApi(app, ctx);
  await app.register(healthRoutes, ctx);
  await app.register(oauthRoutes, ctx);
  await app.register(managementRoutes, ctx);
  await app.register(consoleRoutes);
  return app;
}
