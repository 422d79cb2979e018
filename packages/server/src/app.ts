import Fastify, { LogController, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { Services } from './services.js';
import type { Config } from './config.js';
import { registerErrorHandling } from './http/errors.js';
import { registerJsonBody } from './http/json-body.js';
import { healthRoutes } from './http/routes/health.js';
import { oauthRoutes } from './oauth/routes.js';
import { managementRoutes } from './http/routes/index.js';
import { registerOpenApi } from './http/openapi.js';
import { consoleRoutes } from './http/console.js';
import { secretScanningRoutes } from './http/routes/secret-scanning.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { ProblemSchema } from './http/schemas.js';
import { hostRouting, refusalRoute } from './http/site.js';
import './http/types.js';

export interface BuildOptions {
  logger?: boolean | object;
}

/**
 * Fastify fails closed on a bare hop count (a client that reaches the server directly could forge
 * the hops), so a count becomes a trust function: the socket peer and the next `hops - 1` entries
 * are proxies. Only safe when the server is reachable through its proxies alone (see README).
 */
function proxyTrust(trust: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

/** Builds the HTTP application: OAuth endpoints, management API, console, docs and health checks. */
export async function buildApp(services: Services, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const s = services;
  // Routing by host reads the host map synchronously: it is in memory before the first request.
  await s.hosts.load();
  const app = Fastify({
    logger: opts.logger ?? false,
    // Per-request log lines cost more than a token on the hot path; errors are still logged.
    logController: new LogController({ disableRequestLogging: process.env.LOG_REQUESTS !== '1' }),
    trustProxy: proxyTrust(s.config.trustProxy),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    // A tenant host's paths take their tenant's (http/site.ts): one set of routes serves both forms.
    rewriteUrl: hostRouting(s.config, s.hosts),
  });
  app.decorateRequest('tenant', null as never);
  app.decorateRequest('auth', null);
  app.decorateReply('oauthError', null);
  const metrics = s.metrics;
  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request, reply);
    done();
  });
  // Behind https, browsers are told to use nothing else for a year (never on plain http: it would
  // lock a local installation out). A callback hook, registered only when it has work to do.
  if (s.config.publicUrl.startsWith('https:')) {
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header('strict-transport-security', 'max-age=31536000');
      done();
    });
  }
  registerErrorHandling(app);
  // Before any route: every error response's schema refers to it ($ref 'Problem#').
  app.addSchema(ProblemSchema);
  registerJsonBody(app);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await registerOpenApi(app, s.config);
  // Each plugin is handed what it uses (its deps type says which); the management API hands each of
  // its own plugins its part in turn.
  await app.register(refusalRoute);
  await app.register(healthRoutes, { database: s.store });
  await app.register(metricsRoutes, { config: s.config, metrics: s.metrics });
  // The token endpoint's hot path reads caches; `store` is its port for the writes (refresh tokens, audit).
  await app.register(oauthRoutes, {
    config: s.config,
    tenants: s.tenants,
    clients: s.clients,
    principals: s.principals,
    resources: s.resources,
    keys: s.keys,
    issuer: s.issuer,
    issuers: s.issuers,
    urls: s.urls,
    hasher: s.hasher,
    sealer: s.sealer,
    throttle: s.throttle,
    replay: s.replay,
    store: s.store,
    rotations: s.rotations,
    usage: s.usage,
    revokedTokens: s.revokedTokens,
    sessions: s.sessions,
    metrics: s.metrics,
    federation: s.federationCache,
    issuerKeys: s.issuerKeys,
    federationUsage: s.federationUsage,
  });
  await app.register(managementRoutes, s);
  await app.register(
    async (scanning) =>
      secretScanningRoutes(scanning, { leakReports: s.leakReports, config: s.config, throttle: s.throttle }),
    { prefix: '/secret-scanning/v1' },
  );
  await app.register(consoleRoutes);
  return app;
}
