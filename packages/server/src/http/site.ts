import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { HostDirectory } from '../domain/tenants/host-directory.js';
import type { TenantUrls } from '../domain/tenants/urls.js';
import type { Tenant } from '../domain/tenants/model.js';
import { Problem } from './problem.js';

/**
 * Tenant hosts: a request whose Host is a tenant's (assigned, or `{slug}` + LATCHKEY_TENANT_HOST_SUFFIX)
 * is routed, before any route matches, as if it had named the tenant in its path: `/oauth2/v1/token`
 * at `acme.id.example.com` is served by the route of `/t/acme/oauth2/v1/token` (Fastify's
 * `rewriteUrl`), so every tenant endpoint serves both forms. The request remembers the host: its
 * issuer, origin and console are the host's (`siteOf`). PUBLIC_URL's host keeps path tenancy; any
 * other name is refused (never a default tenant, never a link made from a Host header). A direct
 * address (an IP literal or `localhost`: health checks, probes, local tools) is served like
 * PUBLIC_URL's host, since no tenant can have one.
 */

/** What routing by host decided, on the raw request (absent: path tenancy, the common case). */
type Visit = { host: string; slug: string } | { host: string; refused: Refusal };
type Refusal = 'unknown_host' | 'tenant_path' | 'platform_path';
const VISIT = Symbol('latchkey.visit');
type Visited = IncomingMessage & { [VISIT]?: Visit };

/** Where refused requests are routed: one route answers them (no hook on every request). */
const REFUSED_URL = '/.latchkey/refused';

/** At a tenant host these keep their own paths: they name no tenant. */
const HOSTLESS = /^\/(?:healthz|readyz|metrics|openapi\.json|docs|console)(?:[/?]|$)|^\/(?:\?|$)/;
/** At a tenant host these are refused: another tenant's paths, the platform's, the scanners'. */
const TENANT_PATH = /^\/(?:t|\.well-known\/oauth-authorization-server\/t)(?:[/?]|$)/;
const PLATFORM_PATH = /^\/(?:platform|secret-scanning)(?:[/?]|$)/;

/**
 * Whether a request's `X-Forwarded-Host` counts: only from a proxy TRUST_PROXY trusts, by the same
 * rule Fastify applies to `request.host` (a hop count trusts the socket peer).
 */
export function proxyTrust(trust: Config['trustProxy']): false | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return proxyAddr.compile(trust);
}

/** The host name a request names (lowercase, no port, no trailing dot); '' when it names none. */
export function requestHost(req: IncomingMessage, trusted: ReturnType<typeof proxyTrust>): string {
  let raw = req.headers.host ?? '';
  const forwarded = req.headers['x-forwarded-host'];
  if (trusted && typeof forwarded === 'string' && forwarded !== '' && trusted(req.socket.remoteAddress ?? '', 0)) {
    // The last entry is the nearest proxy's.
    raw = forwarded.slice(forwarded.lastIndexOf(',') + 1);
  }
  raw = raw.trim().toLowerCase();
  const host = raw.startsWith('[') ? raw.slice(0, raw.indexOf(']') + 1) : raw.replace(/:\d*$/, '');
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** A direct address: an IP literal or `localhost`. */
const isDirect = (host: string) => host === 'localhost' || isIP(host.startsWith('[') ? host.slice(1, -1) : host) !== 0;

/** Fastify's `rewriteUrl`: tenant-host requests take their tenant's path; refused ones the refusal route. */
export function hostRouting(
  config: Pick<Config, 'publicUrl' | 'trustProxy'>,
  hosts: Pick<HostDirectory, 'tenantOf'>,
): (req: IncomingMessage) => string {
  const publicHost = new URL(config.publicUrl).hostname;
  const trusted = proxyTrust(config.trustProxy);
  // The Host header last seen to mean path tenancy, as sent: nearly every request of a deployment
  // repeats it, and then costs a comparison (the token endpoint's hot path goes through here).
  let pathHostHeader: string | undefined;
  return (req: Visited) => {
    const url = req.url ?? '/';
    const forwarded = req.headers['x-forwarded-host'] !== undefined;
    if (req.headers.host === pathHostHeader && !forwarded) return url;
    const host = requestHost(req, trusted);
    if (host === publicHost || host === '' || isDirect(host)) {
      if (!forwarded) pathHostHeader = req.headers.host;
      return url;
    }
    const slug = hosts.tenantOf(host);
    let refused: Refusal | undefined;
    if (slug === undefined) refused = 'unknown_host';
    else if (!url.startsWith('/') || TENANT_PATH.test(url)) refused = 'tenant_path';
    else if (PLATFORM_PATH.test(url)) refused = 'platform_path';
    if (refused !== undefined || slug === undefined) {
      req[VISIT] = { host, refused: refused ?? 'unknown_host' };
      return REFUSED_URL;
    }
    req[VISIT] = { host, slug };
    return HOSTLESS.test(url) ? url : `/t/${slug}${url}`;
  };
}

/** Only a host name of the usual characters is repeated in an answer. */
const shown = (host: string) => (/^[a-z0-9.-]{1,253}$/.test(host) ? `"${host}"` : 'this host');

const REFUSALS: Record<Refusal, (host: string) => Problem> = {
  unknown_host: (host) =>
    new Problem('unknown_host', `the host ${shown(host)} is unknown here: no tenant is served at this host name`),
  tenant_path: (host) =>
    new Problem(
      'no_route',
      `${shown(host)} is a tenant host: its paths name no tenant (/oauth2/v1/token, not /t/{tenant}/oauth2/v1/token)`,
    ),
  platform_path: (host) =>
    new Problem('no_route', `${shown(host)} is a tenant host: the platform's endpoints are not served here`),
};

/** The route refused requests are sent to (a client naming it directly gets the ordinary 404). */
export async function refusalRoute(app: FastifyInstance): Promise<void> {
  app.all(REFUSED_URL, { schema: { hide: true } }, async (request, reply) => {
    const visit = (request.raw as Visited)[VISIT];
    const problem =
      visit && 'refused' in visit
        ? REFUSALS[visit.refused](visit.host)
        : new Problem('no_route', `no route for ${request.method} ${request.url.split('?')[0]}`);
    return reply.code(404).type('application/problem+json').send(problem.toJSON());
  });
}

/** What a plugin needs to tell a request's URLs: the tenants' URLs in both forms. */
export interface UrlDeps {
  urls: Pick<TenantUrls, 'pathIssuer' | 'hostIssuer'>;
}

/** The tenant host the request came through; undefined for path tenancy. */
export function tenantHostOf(request: FastifyRequest): string | undefined {
  return hostVisitOf(request)?.host;
}

/** The tenant host the request came through and the slug of the tenant it serves; undefined for path tenancy. */
export function hostVisitOf(request: FastifyRequest): { host: string; slug: string } | undefined {
  const visit = (request.raw as Visited)[VISIT];
  return visit && 'slug' in visit ? visit : undefined;
}

/**
 * Where the request reached its tenant: the issuer (the base of every tenant URL: its endpoints,
 * its SSO callback), the origin a browser page of it has, and the console's path.
 */
export interface TenantSite {
  issuer: string;
  origin: string;
  /** The tenant's paths' prefix on this origin: `/t/{slug}`, or '' at a tenant host. */
  basePath: string;
  /** The console's home: `/console/t/{slug}/`, or `/console/` at a tenant host. */
  consolePath: string;
  /** The console's home as an absolute URL. */
  consoleUrl: string;
}

export function siteOf(request: FastifyRequest, urls: Pick<TenantUrls, 'pathIssuer' | 'hostIssuer'>): TenantSite {
  return siteFor(request.tenant, tenantHostOf(request), urls);
}

export function siteFor(
  tenant: Tenant,
  host: string | undefined,
  urls: Pick<TenantUrls, 'pathIssuer' | 'hostIssuer'>,
): TenantSite {
  if (host === undefined) {
    const issuer = urls.pathIssuer(tenant.slug);
    const consolePath = `/console/t/${encodeURIComponent(tenant.slug)}/`;
    // PUBLIC_URL is the issuer without its /t/{slug}.
    const publicUrl = issuer.slice(0, -`/t/${tenant.slug}`.length);
    return {
      issuer,
      origin: new URL(issuer).origin,
      basePath: `/t/${encodeURIComponent(tenant.slug)}`,
      consolePath,
      consoleUrl: publicUrl + consolePath,
    };
  }
  const issuer = urls.hostIssuer(host);
  return { issuer, origin: issuer, basePath: '', consolePath: '/console/', consoleUrl: `${issuer}/console/` };
}

/** The issuer of a request to a tenant: the host's at a tenant host, else the path form. */
export function requestIssuer(request: FastifyRequest, urls: Pick<TenantUrls, 'pathIssuer' | 'hostIssuer'>): string {
  const host = tenantHostOf(request);
  return host === undefined ? urls.pathIssuer(request.tenant.slug) : urls.hostIssuer(host);
}

/**
 * `deps` as seen by a request through a tenant host: `issuer(tenant)` answers the host's issuer, for
 * the tenant of the request (any other tenant keeps its path form). Path-tenancy requests get `deps`
 * itself; the views are made once per host and tenant (Object.create: the rest is read through).
 */
export function issuingDeps<D extends { issuer(tenant: Tenant | string): string }>(
  deps: D,
  request: FastifyRequest,
  urls: Pick<TenantUrls, 'hostIssuer'>,
): D {
  const host = tenantHostOf(request);
  if (host === undefined) return deps;
  let views = viewsOf.get(deps);
  if (!views) viewsOf.set(deps, (views = new Map()));
  const key = `${host} ${request.tenant.slug}`;
  let view = views.get(key) as D | undefined;
  if (!view) {
    const slug = request.tenant.slug;
    const issuer = urls.hostIssuer(host);
    const base = deps;
    view = Object.create(deps, {
      issuer: {
        value: (t: Tenant | string) => ((typeof t === 'string' ? t : t.slug) === slug ? issuer : base.issuer(t)),
      },
    }) as D;
    // Hosts are few (assigned ones, and the suffix's one per tenant): the bound is a backstop.
    if (views.size > 10_000) views.clear();
    views.set(key, view);
  }
  return view;
}
const viewsOf = new WeakMap<object, Map<string, unknown>>();
