import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Resource } from '../../domain/resources/model.js';
import type { ResourceService } from '../../domain/resources/service.js';
import { actorOf, requireManager } from '../auth.js';
import { IdParams, ScopeName, Timestamp, errors, iso } from '../schemas.js';

const ScopeDescriptions = Type.Record(ScopeName, Type.String({ maxLength: 200 }), {
  description: 'what each scope allows, in words, for the people who grant it; an empty text removes one',
});
const ResourceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  audience: Type.String(),
  scopes: Type.Array(Type.String()),
  scopeDescriptions: ScopeDescriptions,
  createdAt: Timestamp,
});
const view = (r: Resource) => ({
  id: r.id,
  name: r.name,
  audience: r.audience,
  scopes: r.scopes,
  scopeDescriptions: r.scopeDescriptions,
  createdAt: iso(r.createdAt),
});
const Scopes = Type.Array(ScopeName, { maxItems: 100 });
const NewResource = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    audience: Type.String({ minLength: 1, maxLength: 300, description: 'the aud claim of tokens for this API' }),
    scopes: Scopes,
    scopeDescriptions: Type.Optional(ScopeDescriptions),
  },
  { additionalProperties: false },
);
const Patch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    scopes: Type.Optional(Scopes),
    scopeDescriptions: Type.Optional({
      ...ScopeDescriptions,
      description: 'replaces every description (scopes left out lose theirs)',
    }),
  },
  { additionalProperties: false, minProperties: 1 },
);

export interface ResourceRouteDeps {
  resourceService: ResourceService;
}

/** Resources: the APIs tokens are for, each with an audience and named scopes. */
export async function resourceRoutes(app: FastifyInstance, deps: ResourceRouteDeps): Promise<void> {
  const tags = ['resources'];
  const resources = deps.resourceService;
  const actor = (request: FastifyRequest) => actorOf(request);

  app.get(
    '/resources',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags,
        summary: 'APIs and their scopes',
        response: { 200: Type.Object({ items: Type.Array(ResourceView), nextCursor: Type.Null() }), ...errors(401) },
      },
    },
    async (request) => ({ items: (await resources.list(request.tenant)).map(view), nextCursor: null }),
  );

  app.post<{ Body: Static<typeof NewResource> }>(
    '/resources',
    {
      config: { scope: 'latchkey:settings' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Define an API with its audience and scopes',
        body: NewResource,
        response: { 201: ResourceView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const r = await resources.create(request.tenant, request.body, actor(request));
      return reply.code(201).send(view(r));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/resources/:id',
    {
      config: { scope: 'latchkey:read' },
      schema: { tags, summary: 'One API', params: IdParams, response: { 200: ResourceView, ...errors(401, 404) } },
    },
    async (request) => view(await resources.get(request.tenant, request.params.id)),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof Patch> }>(
    '/resources/:id',
    {
      config: { scope: 'latchkey:settings' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Rename an API, change its scopes or describe them',
        params: IdParams,
        body: Patch,
        response: { 200: ResourceView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      return view(await resources.update(request.tenant, request.params.id, request.body, actor(request)));
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/resources/:id',
    {
      config: { scope: 'latchkey:settings' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Delete an API no role or application uses any more',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await resources.delete(request.tenant, request.params.id, actor(request));
      return reply.code(204).send();
    },
  );
}
