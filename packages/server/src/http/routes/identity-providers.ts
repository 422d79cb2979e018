import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { IdentityProvider } from '../../domain/sso/model.js';
import type { IdentityProviderService } from '../../domain/sso/providers.js';
import { IssuerProblem } from '../../domain/sso/discovery.js';
import { hasEndSession } from '../../domain/sso/login.js';
import { actorOf, requireManager } from '../auth.js';
import { notFound, Problem } from '../problem.js';
import { IdParams, Timestamp, errors, iso } from '../schemas.js';
import { siteOf, type UrlDeps } from '../site.js';

const tags = ['identity-providers'];

const IdentityProviderView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  issuer: Type.String({ description: 'the OpenID Connect issuer; its discovery document is checked when saved' }),
  clientId: Type.String(),
  allowedEmailDomains: Type.Array(Type.String(), {
    description: 'only emails of these domains may sign in (linked or provisioned)',
  }),
  jitProvisioning: Type.Boolean({ description: 'create an account on first sign-in for an allowed email without one' }),
  enabled: Type.Boolean(),
  endSessionSupported: Type.Boolean({ description: 'the provider publishes an end-session (logout) endpoint' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  issuer: Type.String({ minLength: 1, maxLength: 500 }),
  clientId: Type.String({ minLength: 1, maxLength: 500 }),
  clientSecret: Type.String({
    minLength: 1,
    maxLength: 2000,
    description: 'write-only: sealed at rest, never shown again',
  }),
  allowedEmailDomains: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { minItems: 1, maxItems: 50 }),
  jitProvisioning: Type.Boolean({ default: false }),
  enabled: Type.Boolean({ default: true }),
};
const NewProvider = Type.Object(
  {
    ...fields,
    jitProvisioning: Type.Optional(fields.jitProvisioning),
    enabled: Type.Optional(fields.enabled),
  },
  { additionalProperties: false },
);
const ProviderPatch = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

const view = (p: IdentityProvider) => ({
  id: p.id,
  name: p.name,
  issuer: p.issuer,
  clientId: p.clientId,
  allowedEmailDomains: p.allowedEmailDomains,
  jitProvisioning: p.jitProvisioning,
  enabled: p.enabled,
  endSessionSupported: hasEndSession(p),
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
});

/** Discovery failures as problem documents: `issuer-unreachable` or `issuer-invalid`. */
async function discovering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof IssuerProblem) throw new Problem(`issuer_${err.kind}`, err.message);
    throw err;
  }
}

const SignInOptions = Type.Object({
  passwordSignIn: Type.Boolean({
    description: 'false while single sign-on is enforced (break-glass accounts may still use a password)',
  }),
  ssoEnforced: Type.Boolean(),
  providers: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), loginUrl: Type.String() })),
});

export interface IdentityProviderRouteDeps extends UrlDeps {
  identityProviders: IdentityProviderService;
}

export async function identityProviderRoutes(
  app: FastifyInstance,
  { identityProviders, urls }: IdentityProviderRouteDeps,
): Promise<void> {
  app.get(
    '/sign-in-options',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'How to sign in to this domain: password and/or its identity providers',
        security: [],
        response: { 200: SignInOptions, ...errors(404) },
      },
    },
    async (request) => {
      const t = request.tenant;
      const { basePath } = siteOf(request, urls);
      const providers = (await identityProviders.list(t)).filter((p) => p.enabled);
      return {
        passwordSignIn: !t.ssoEnforced,
        ssoEnforced: t.ssoEnforced,
        providers: providers.map((p) => ({
          id: p.id,
          name: p.name,
          loginUrl: `${basePath}/login/sso?idp=${encodeURIComponent(p.id)}`,
        })),
      };
    },
  );

  app.get(
    '/identity-providers',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: "The domain's OpenID Connect providers, and the redirect URI to register at them",
        description:
          'The redirect URI is the one of the URL this request came through (PUBLIC_URL/t/{tenant}, or a tenant host): a sign-in comes back where it started, so a domain used at both registers both.',
        response: {
          200: Type.Object({ items: Type.Array(IdentityProviderView), redirectUri: Type.String() }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({
      items: (await identityProviders.list(request.tenant)).map(view),
      redirectUri: identityProviders.redirectUri(siteOf(request, urls).issuer),
    }),
  );

  app.post<{ Body: Static<typeof NewProvider> }>(
    '/identity-providers',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'adding an identity provider' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Add an OpenID Connect provider (its discovery document is fetched and checked)',
        body: NewProvider,
        response: { 201: IdentityProviderView, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const p = await discovering(() => identityProviders.create(request.tenant, request.body, actorOf(request)));
      return reply.code(201).send(view(p));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/identity-providers/:id',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'One identity provider',
        params: IdParams,
        response: { 200: IdentityProviderView, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const p = await identityProviders.byId(request.tenant, request.params.id);
      if (!p) throw notFound(`identity provider ${request.params.id} does not exist`);
      return view(p);
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof ProviderPatch> }>(
    '/identity-providers/:id',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'changing an identity provider' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Change an identity provider (a new issuer, client or secret is discovered again)',
        params: IdParams,
        body: ProviderPatch,
        response: { 200: IdentityProviderView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      view(
        await discovering(() =>
          identityProviders.update(request.tenant, request.params.id, request.body, actorOf(request)),
        ),
      ),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/identity-providers/:id',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'deleting an identity provider' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Remove an identity provider',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await identityProviders.delete(request.tenant, request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );
}
