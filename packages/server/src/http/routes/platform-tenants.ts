import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Tenant } from '../../domain/tenants/model.js';
import type { PlatformTenantService } from '../../domain/tenants/platform-tenants.js';
import type { TenantUrls } from '../../domain/tenants/urls.js';
import type { HostDirectory } from '../../domain/tenants/host-directory.js';
import { MAX_HOSTS_PER_TENANT } from '../../domain/tenants/hosts.js';
import { notFound } from '../problem.js';
import { actorOf, mintsCredential } from '../auth.js';
import { Timestamp, UserView, errors, iso, userView } from '../schemas.js';

const TenantView = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  enterpriseEnabled: Type.Boolean({ description: 'personal OAuth2 clients are available' }),
  issuer: Type.String({ description: 'the path-form issuer, PUBLIC_URL/t/{slug}' }),
  hosts: Type.Array(Type.String(), {
    description: 'host names assigned to the tenant: each serves it at its root (https://{host}/oauth2/v1/token)',
  }),
  issuers: Type.Array(Type.String(), {
    description:
      'every URL the tenant answers at, each the issuer of the tokens requested through it: the path form, its hosts, and its LATCHKEY_TENANT_HOST_SUFFIX host when that is set',
  }),
  ssoEnforced: Type.Boolean({
    description: 'password sign-in and the password grant are refused (break-glass accounts excepted)',
  }),
  breakGlassAccounts: Type.Array(Type.String(), {
    description: 'emails of the users who may still sign in with a password while SSO is enforced',
  }),
  createdAt: Timestamp,
});

const NewTenant = Type.Object(
  {
    slug: Type.String({
      minLength: 1,
      maxLength: 63,
      description: 'lowercase letters, digits and hyphens; part of every URL',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enterpriseEnabled: Type.Optional(Type.Boolean()),
    manager: Type.Optional(
      Type.Object(
        {
          email: Type.String({ maxLength: 320 }),
          displayName: Type.Optional(Type.String({ maxLength: 200 })),
          password: Type.Optional(Type.String({ maxLength: 1024 })),
        },
        { additionalProperties: false, description: 'the first domain manager, holding every built-in role' },
      ),
    ),
  },
  { additionalProperties: false },
);

const TenantPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    enterpriseEnabled: Type.Optional(Type.Boolean()),
    ssoEnforced: Type.Optional(
      Type.Boolean({ description: 'turning it on needs an enabled identity provider (409 no-identity-provider)' }),
    ),
    breakGlassAccounts: Type.Optional(
      Type.Array(Type.String({ maxLength: 320 }), {
        maxItems: 20,
        description: 'replaces the list; each must be a user of the tenant',
      }),
    ),
    hosts: Type.Optional(
      Type.Array(Type.String({ maxLength: 300 }), {
        maxItems: MAX_HOSTS_PER_TENANT,
        description:
          "replaces the list of host names that serve the tenant at their root: lowercase DNS names of two labels or more (labels of 1-63 letters, digits or hyphens, 253 characters in all), no IP address, port, scheme or wildcard, never PUBLIC_URL's host nor one under LATCHKEY_TENANT_HOST_SUFFIX; a host another tenant holds is refused (409 host_taken). Point the name's DNS at Latchkey's proxy, with a certificate for it.",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 63 }) });

export interface PlatformTenantRouteDeps {
  platformTenants: PlatformTenantService;
  /** The tenant's URLs (issuers), shown with it. */
  urls: Pick<TenantUrls, 'pathIssuer' | 'issuers'>;
  /** This process's host map, read again after a change of hosts. */
  hosts: Pick<HostDirectory, 'load'>;
}

export async function platformTenantRoutes(
  app: FastifyInstance,
  { platformTenants, urls, hosts }: PlatformTenantRouteDeps,
): Promise<void> {
  const view = async (t: Tenant) => ({
    id: t.id,
    slug: t.slug,
    name: t.name,
    enterpriseEnabled: t.enterpriseEnabled,
    issuer: urls.pathIssuer(t.slug),
    hosts: await platformTenants.hosts(t),
    issuers: [...urls.issuers(t.slug)],
    ssoEnforced: t.ssoEnforced,
    breakGlassAccounts: await platformTenants.breakGlassEmails(t),
    createdAt: iso(t.createdAt),
  });

  app.get(
    '/tenants',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags: ['platform'],
        summary: 'All tenants, by slug',
        response: { 200: Type.Object({ items: Type.Array(TenantView) }), ...errors(401, 403) },
      },
    },
    async () => ({ items: await Promise.all((await platformTenants.list()).map(view)) }),
  );

  app.post<{ Body: Static<typeof NewTenant> }>(
    '/tenants',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'creating a tenant' },
      schema: {
        tags: ['platform'],
        summary: 'Create a tenant, optionally with its first domain manager',
        body: NewTenant,
        response: {
          201: Type.Object({ tenant: TenantView, manager: Type.Optional(UserView) }),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    async (request, reply) => {
      const { manager, ...tenant } = request.body;
      if (manager?.password !== undefined) await mintsCredential(request);
      const made = await platformTenants.provision(tenant, manager, actorOf(request, 'platform'));
      return reply
        .code(201)
        .send({ tenant: await view(made.tenant), manager: made.manager && userView(made.manager, made.managerRoles) });
    },
  );

  app.get<{ Params: Static<typeof SlugParams> }>(
    '/tenants/:slug',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags: ['platform'],
        summary: 'One tenant',
        params: SlugParams,
        response: { 200: TenantView, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const t = await platformTenants.bySlug(request.params.slug);
      if (!t) throw notFound(`tenant "${request.params.slug}" does not exist`);
      return view(t);
    },
  );

  app.patch<{ Params: Static<typeof SlugParams>; Body: Static<typeof TenantPatch> }>(
    '/tenants/:slug',
    {
      config: {
        scope: 'latchkey:settings',
        trustAnchor: 'changing a tenant (enterprise features, SSO enforcement, break-glass accounts, host names)',
      },
      schema: {
        tags: ['platform'],
        summary: 'Rename a tenant, turn its enterprise features on or off, or change its SSO settings or host names',
        params: SlugParams,
        body: TenantPatch,
        response: { 200: TenantView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const tenant = await platformTenants.update(request.params.slug, request.body, actorOf(request, 'platform'));
      // This process serves the new hosts before it answers (the others within the notification delay).
      if (request.body.hosts !== undefined) await hosts.load();
      return view(tenant);
    },
  );
}
