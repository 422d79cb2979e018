// Fastify plugin: verifies the bearer token of every request of the scope it is registered in,
// before the body is read (onRequest), and puts the verified token on `request.accessToken`.
// Routes add the scopes they need with `config: { requiredScopes: [...] }`, or opt out with
// `config: { skipAuth: true }`. Wrapped with fastify-plugin so the hook applies to the routes of
// the scope that registers it: register it inside the scope that holds your protected routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AuthorizationServerUnavailable, TokenVerificationError } from './errors.js';
import { bearerToken, errorResponse } from './http.js';
import type { Verifier, VerifiedToken } from './verify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified access token; null on routes with `skipAuth`. */
    accessToken: VerifiedToken | null;
  }
  interface FastifyContextConfig {
    /** Scopes the token must hold for this route (in addition to the plugin's `scopes`). */
    requiredScopes?: readonly string[];
    /** Serve this route without a token. */
    skipAuth?: boolean;
  }
}

export interface FastifyVerifierOptions {
  verifier: Verifier;
  /** The tenant of a request: a fixed slug, or read from the request. Default: the `:tenant` route parameter. */
  tenant?: string | ((request: FastifyRequest) => string | undefined);
  /** The realm of the challenge sent when no token came. Default "api". */
  realm?: string;
  /** Scopes every route of the scope needs. */
  scopes?: readonly string[];
}

function tenantResolver(opt: FastifyVerifierOptions['tenant']): (request: FastifyRequest) => string | undefined {
  if (typeof opt === 'string') return () => opt;
  if (typeof opt === 'function') return opt;
  return (request) => (request.params as Record<string, string> | undefined)?.tenant;
}

async function verifierPlugin(app: FastifyInstance, opts: FastifyVerifierOptions): Promise<void> {
  const tenantOf = tenantResolver(opts.tenant);
  const realm = opts.realm ?? 'api';
  const base = opts.scopes ?? [];
  if (!app.hasRequestDecorator('accessToken')) app.decorateRequest('accessToken', null);
  app.addHook('onRequest', async (request, reply) => {
    const config = request.routeOptions.config;
    if (config?.skipAuth) return;
    const tenant = tenantOf(request);
    if (!tenant) throw new Error("latchkey verifier: no tenant for this request (set the plugin's `tenant` option)");
    const scopes = config?.requiredScopes ? [...base, ...config.requiredScopes] : base;
    try {
      request.accessToken = await opts.verifier.verify(bearerToken(request.headers.authorization), { tenant, scopes });
    } catch (err) {
      if (!(err instanceof TokenVerificationError)) throw err;
      if (err instanceof AuthorizationServerUnavailable) request.log.warn({ detail: err.detail }, err.message);
      const r = errorResponse(err, realm);
      return reply.code(r.status).headers(r.headers).send(r.body);
    }
  });
}

export const latchkeyFastify = fp(verifierPlugin, { fastify: '5.x' });
