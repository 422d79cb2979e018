// Express (4 and 5) middleware. Put it on the route, not on app.use(): Express fills `req.params`
// (where the default tenant comes from) only for route-level handlers.
//
//   app.get('/t/:tenant/reports', latchkeyExpress({ verifier, scopes: ['reports'] }), handler)
//
// Typed structurally, so using it needs neither express nor @types/express at build time.
import { TokenVerificationError } from './errors.js';
import { bearerToken, errorResponse } from './http.js';
import type { Verifier, VerifiedToken } from './verify.js';

export interface ExpressLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  accessToken?: VerifiedToken;
}

export interface ExpressLikeResponse {
  status(code: number): this;
  set(field: Record<string, string>): this;
  json(body: unknown): unknown;
}

export type ExpressNext = (err?: unknown) => void;

export interface ExpressVerifierOptions {
  verifier: Verifier;
  /** The tenant: a fixed slug, or read from the request. Default: `req.params.tenant`. */
  tenant?: string | ((req: ExpressLikeRequest) => string | undefined);
  /** Scopes this route needs. */
  scopes?: readonly string[];
  /** The realm of the challenge sent when no token came. Default "api". */
  realm?: string;
}

declare global {
  namespace Express {
    interface Request {
      /** Set by the Latchkey middleware once the bearer token is verified. */
      accessToken?: VerifiedToken;
    }
  }
}

/** Verifies the bearer token; on success sets `req.accessToken` and calls next(), else answers 401/403/503. */
export function latchkeyExpress(opts: ExpressVerifierOptions) {
  const realm = opts.realm ?? 'api';
  const scopes = opts.scopes ?? [];
  const tenantOf =
    typeof opts.tenant === 'string'
      ? () => opts.tenant as string
      : (opts.tenant ?? ((req: ExpressLikeRequest) => req.params?.tenant));
  return function latchkeyMiddleware(req: ExpressLikeRequest, res: ExpressLikeResponse, next: ExpressNext): void {
    const tenant = tenantOf(req);
    if (!tenant)
      return next(
        new Error('latchkey verifier: no tenant for this request (use it on a route with :tenant, or set `tenant`)'),
      );
    let token: string;
    try {
      token = bearerToken(req.headers.authorization);
    } catch (err) {
      return fail(err);
    }
    opts.verifier.verify(token, { tenant, scopes }).then((verified) => {
      req.accessToken = verified;
      next();
    }, fail);

    function fail(err: unknown): void {
      if (!(err instanceof TokenVerificationError)) return next(err);
      const r = errorResponse(err, realm);
      res.status(r.status).set(r.headers).json(r.body);
    }
  };
}
