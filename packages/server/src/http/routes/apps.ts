import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Client } from '../../domain/clients/model.js';
import { APP_GRANT_NAMES } from '../../domain/clients/apps.js';
import type { AppService } from '../../domain/clients/app-service.js';
import { actorOf, mintsCredential, requireManager } from '../auth.js';
import { bodyOptional } from '../json-body.js';
import {
  Cursor,
  IdParams,
  LastUse,
  Limit,
  Nullable,
  PageOf,
  PreviousSecretExpiresAt,
  RotateSecret,
  ScopeName,
  Timestamp,
  errors,
  iso,
  lastUseView,
  previousSecretView,
} from '../schemas.js';
import { requestIssuer, type UrlDeps } from '../site.js';

const GrantTypes = Type.Array(Type.Union(APP_GRANT_NAMES.map((g) => Type.Literal(g))), { minItems: 1, maxItems: 3 });
const Scopes = Type.Array(ScopeName, { maxItems: 100 });
const Jwks = Type.Object({
  keys: Type.Array(Type.Object({ kty: Type.String() }, { additionalProperties: true }), { minItems: 1, maxItems: 10 }),
});

const AppView = Type.Object({
  id: Type.String(),
  clientId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  grantTypes: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  jwks: Nullable(Jwks),
  status: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  ...LastUse,
  previousSecretExpiresAt: PreviousSecretExpiresAt,
});
const appView = (c: Client) => ({
  id: c.id,
  clientId: c.clientId,
  name: c.name,
  description: c.description,
  grantTypes: c.grantTypes,
  scopes: c.scopes,
  jwks: c.jwks,
  status: c.status as 'active' | 'inactive',
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
  ...lastUseView(c),
  previousSecretExpiresAt: previousSecretView(c),
});
const WithSecret = Type.Intersect([
  AppView,
  Type.Object({ clientSecret: Type.String({ description: 'shown only in this response' }) }),
]);

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the name' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive')])),
    sort: Type.Union([Type.Literal('name'), Type.Literal('createdAt'), Type.Literal('lastUsedAt')], {
      default: 'name',
    }),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const NewApp = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    grantTypes: GrantTypes,
    scopes: Scopes,
    jwks: Type.Optional(Jwks),
  },
  { additionalProperties: false },
);

const Patch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    grantTypes: Type.Optional(GrantTypes),
    scopes: Type.Optional(Scopes),
    jwks: Type.Optional(Nullable(Jwks)),
  },
  { additionalProperties: false, minProperties: 1 },
);

const TokenRequest = Type.Object(
  {
    scopes: Scopes,
    includeRefreshToken: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

const TokFile = Type.Object(
  {
    app_access_token: Type.String(),
    refresh_token: Type.Optional(Type.String()),
    token_type: Type.String(),
    expires_in: Type.Integer(),
    scope: Type.String(),
    client_id: Type.String(),
    token_endpoint: Type.String(),
  },
  { description: 'the .tok document' },
);

const actor = (request: FastifyRequest) => actorOf(request);

export interface AppRouteDeps extends UrlDeps {
  apps: AppService;
}

/** Confidential applications, managed by domain managers. */
export async function appRoutes(app: FastifyInstance, { apps, urls }: AppRouteDeps): Promise<void> {
  const tags = ['applications'];
  type ById = { Params: Static<typeof IdParams> };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/apps',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'List applications',
        querystring: ListQuery,
        response: { 200: PageOf(AppView), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { q, status, sort, order, limit, cursor } = request.query;
      const page = await apps.list(request.tenant, { nameContains: q, status }, { sort, dir: order, limit, cursor });
      return { items: page.items.map(appView), nextCursor: page.nextCursor };
    },
  );

  app.post<{ Body: Static<typeof NewApp> }>(
    '/apps',
    {
      config: { scope: 'latchkey:apps' },
      onRequest: [requireManager, mintsCredential],
      schema: {
        tags,
        summary: 'Create an application (its secret is shown once)',
        body: NewApp,
        response: { 201: WithSecret, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { client, clientSecret } = await apps.create(request.tenant, request.body, actor(request));
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...appView(client), clientSecret });
    },
  );

  app.get<ById>(
    '/apps/:id',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'One application',
        params: IdParams,
        response: { 200: AppView, ...errors(401, 403, 404) },
      },
    },
    async (request) => appView(await apps.get(request.tenant, request.params.id)),
  );

  app.patch<ById & { Body: Static<typeof Patch> }>(
    '/apps/:id',
    {
      config: { scope: 'latchkey:apps' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Change name, description, grants, scopes or JWKS',
        params: IdParams,
        body: Patch,
        response: { 200: AppView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      // A registered key lets its holder mint tokens through the jwt-bearer grant.
      if (request.body.jwks) await mintsCredential(request);
      return appView(await apps.update(request.tenant, request.params.id, request.body, actor(request)));
    },
  );

  app.delete<ById>(
    '/apps/:id',
    {
      config: { scope: 'latchkey:apps' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Delete an application and revoke its tokens',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await apps.delete(request.tenant, request.params.id, actor(request));
      return reply.code(204).send();
    },
  );

  app.post<ById & { Body: Static<typeof RotateSecret> }>(
    '/apps/:id/secret',
    {
      config: { scope: 'latchkey:apps' },
      onRequest: [requireManager, mintsCredential],
      preValidation: bodyOptional,
      schema: {
        tags,
        summary:
          'Regenerate the secret, keeping the client id: the old one stops working now (or when the overlap ends), and so do the refresh tokens and the access tokens it obtained',
        description:
          'With an overlap, a refresh token refreshed with the new secret meanwhile moves onto it and keeps working; one refreshed with the old secret, or not at all, ends with the overlap. Regenerating again during an overlap ends the older secret at once.',
        params: IdParams,
        body: RotateSecret,
        response: { 200: WithSecret, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { client, clientSecret } = await apps.regenerateSecret(
        request.tenant,
        request.params.id,
        actor(request),
        request.body.overlapSeconds,
      );
      return reply.header('cache-control', 'no-store').send({ ...appView(client), clientSecret });
    },
  );

  for (const [path, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    app.post<ById>(
      `/apps/:id/${path}`,
      {
        config: { scope: 'latchkey:apps' },
        onRequest: requireManager,
        schema: {
          tags,
          params: IdParams,
          response: { 200: AppView, ...errors(401, 403, 404) },
          summary: active
            ? 'Reactivate: its refresh tokens work again'
            : 'Suspend: no grant succeeds and its tokens introspect as inactive',
        },
      },
      async (request) => {
        return appView(await apps.setActive(request.tenant, request.params.id, active, actor(request)));
      },
    );
  }

  app.post<ById & { Body: Static<typeof TokenRequest> }>(
    '/apps/:id/tokens',
    {
      config: { scope: 'latchkey:apps' },
      onRequest: [requireManager, mintsCredential],
      schema: {
        tags,
        summary: 'Generate an access token (and optionally a refresh token) as a downloadable .tok file',
        params: IdParams,
        body: TokenRequest,
        response: { 200: TokFile, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      // Generated at a tenant host, the file's token and token_endpoint are the host's.
      const { app: appRecord, tokFile: doc } = await apps.generateTokens(
        request.tenant,
        request.params.id,
        request.body,
        actor(request),
        requestIssuer(request, urls),
      );
      const filename =
        (appRecord.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'app') + '.tok';
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .send(doc);
    },
  );
}
