// The sample protected API as a Fastify app: per-tenant routes under /t/{tenant}, every one behind
// the verifier's plugin (or none at all when verification is off, for the benchmark).
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ApiError, invalidRequest } from './api/errors.js';
import { meteringRoutes } from './api/metering.js';
import { myservicesRoutes } from './api/myservices.js';
import { SampleStore } from './data/store.js';
import { latchkeyFastify } from './verifier/fastify.js';
import type { Verifier } from './verifier/verify.js';

export const REALM = 'latchkey-sample-api';

export interface ResourceServerOptions {
  /** null serves every request without a token (VERIFY=off). */
  verifier: Verifier | null;
  store?: SampleStore;
  logger?: FastifyServerOptions['logger'];
}

export async function buildResourceServer(opts: ResourceServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Per-request log lines would cost more than verifying the token; errors are still logged.
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
    ajv: { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false } },
  });
  const store = opts.store ?? new SampleStore();

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) return reply.code(err.status).send({ errorMessage: err.message, errorCode: err.code });
    if (err.validation)
      return reply
        .code(400)
        .send({ errorMessage: `Invalid request: ${err.message}`, errorCode: 'ERR_INVALID_REQUEST' });
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ errorMessage: 'Internal error', errorCode: 'ERR_INTERNAL' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ errorMessage: `No route ${request.method} ${request.url.split('?')[0]}`, errorCode: 'ERR_NOT_FOUND' }),
  );

  app.get('/healthz', async () => ({ status: 'ok', verify: opts.verifier !== null }));

  await app.register(
    async (tenantScope) => {
      if (opts.verifier) await tenantScope.register(latchkeyFastify, { verifier: opts.verifier, realm: REALM });
      // A filter the endpoint does not have (?month=…) would otherwise be ignored, and the answer
      // taken for a filtered one.
      tenantScope.addHook('preValidation', async (request) => {
        const known = (request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined)
          ?.properties;
        if (!known) return;
        const unknown = Object.keys(request.query as Record<string, unknown>).filter((k) => !Object.hasOwn(known, k));
        if (unknown.length > 0)
          throw invalidRequest(
            `Unknown query parameter ${JSON.stringify(unknown[0])}: this endpoint takes ${Object.keys(known).join(', ')}`,
          );
      });
      await tenantScope.register(myservicesRoutes, { store });
      await tenantScope.register(meteringRoutes, { store });
    },
    { prefix: '/t/:tenant' },
  );

  return app;
}
