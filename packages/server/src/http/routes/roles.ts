import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RoleService } from '../../domain/roles/service.js';
import { actorOf, requireManager } from '../auth.js';
import { IdParams, RoleView, ScopeName, errors, roleView } from '../schemas.js';

const Scopes = Type.Array(ScopeName, {
  maxItems: 100,
  description: "scopes defined by the tenant's APIs or the management API (GET /scopes lists them)",
});
const NewRole = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    scopes: Scopes,
  },
  { additionalProperties: false },
);
const RolePatch = Type.Partial(NewRole, { additionalProperties: false, minProperties: 1 });

const actor = (request: FastifyRequest) => actorOf(request);

const ScopeView = Type.Object({
  scope: Type.String(),
  description: Type.String({ description: 'what it allows, in words (empty when its API does not say)' }),
  api: Type.String({ description: 'the API it belongs to' }),
  management: Type.Boolean({ description: "one of Latchkey's own management scopes (latchkey:…)" }),
});

export interface RoleRouteDeps {
  roles: RoleService;
}

export async function roleRoutes(app: FastifyInstance, deps: RoleRouteDeps): Promise<void> {
  app.get(
    '/scopes',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags: ['roles'],
        summary: "Every scope a role may grant: the domain's APIs' and the management API's, with what each allows",
        response: { 200: Type.Object({ items: Type.Array(ScopeView) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ items: await deps.roles.grantableScopes(request.tenant) }),
  );

  app.get(
    '/roles',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags: ['roles'],
        summary: "The domain's roles and the scopes they grant",
        response: { 200: Type.Object({ items: Type.Array(RoleView) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ items: (await deps.roles.list(request.tenant)).map(roleView) }),
  );

  app.post<{ Body: Static<typeof NewRole> }>(
    '/roles',
    {
      config: { scope: 'latchkey:users' },
      onRequest: requireManager,
      schema: {
        tags: ['roles'],
        summary: 'Create a role',
        body: NewRole,
        response: { 201: RoleView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const role = await deps.roles.create(request.tenant, request.body, actor(request));
      return reply.code(201).send(roleView(role));
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof RolePatch> }>(
    '/roles/:id',
    {
      config: { scope: 'latchkey:users' },
      onRequest: requireManager,
      schema: {
        tags: ['roles'],
        summary: 'Rename a role or change its scopes (built-in roles may be renamed too)',
        params: IdParams,
        body: RolePatch,
        response: { 200: RoleView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      return roleView(await deps.roles.update(request.tenant, request.params.id, request.body, actor(request)));
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/roles/:id',
    {
      config: { scope: 'latchkey:users' },
      onRequest: requireManager,
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await deps.roles.delete(request.tenant, request.params.id, actor(request));
      return reply.code(204).send();
    },
  );
}
