import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { UserService } from '../../domain/users/user-service.js';
import { actorOf, mintsCredential, requireManager } from '../auth.js';
import { Cursor, IdParams, Limit, PageOf, UserView, errors, userView } from '../schemas.js';

const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);
const RoleIds = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: "replaces the user's roles" });

const ListQuery = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 320, description: 'exact email' })),
    status: Type.Optional(Status),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'part of the email or display name' })),
    roleId: Type.Optional(Type.String({ maxLength: 100, description: 'only users holding this role' })),
    sort: Type.Union([Type.Literal('email'), Type.Literal('displayName'), Type.Literal('createdAt')], {
      default: 'email',
    }),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const Invite = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    displayName: Type.Optional(Type.String({ maxLength: 200 })),
    password: Type.Optional(Type.String({ maxLength: 1024, description: 'omit for users who sign in with SSO' })),
    roleIds: Type.Optional(RoleIds),
  },
  { additionalProperties: false },
);

const Patch = Type.Object(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(Status),
    roleIds: Type.Optional(RoleIds),
    password: Type.Optional(
      Type.String({
        maxLength: 1024,
        description:
          "a manager sets another user's; your own needs currentPassword, or, for a first password, a single sign-on within the last 5 minutes (403 reauthentication_required)",
      }),
    ),
    currentPassword: Type.Optional(
      Type.String({ maxLength: 1024, description: 'required when changing your own password' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export interface UserRouteDeps {
  users: UserService;
}

export async function userRoutes(app: FastifyInstance, deps: UserRouteDeps): Promise<void> {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/users',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags: ['users'],
        summary: "List the domain's users",
        querystring: ListQuery,
        response: { 200: PageOf(UserView), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { email, status, q, roleId, sort, order, limit, cursor } = request.query;
      const page = await deps.users.list(
        request.tenant,
        { email: email?.trim().toLowerCase(), status, q, roleId },
        { sort, dir: order, limit, cursor },
      );
      return { items: page.items.map((u) => userView(u.user, u.roles)), nextCursor: page.nextCursor };
    },
  );

  app.post<{ Body: Static<typeof Invite> }>(
    '/users',
    {
      config: { scope: 'latchkey:users' },
      onRequest: requireManager,
      schema: {
        tags: ['users'],
        summary: 'Invite a user',
        body: Invite,
        response: { 201: UserView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { email, displayName, password, roleIds } = request.body;
      if (password !== undefined) await mintsCredential(request);
      const created = await deps.users.invite(
        request.tenant,
        { email, displayName: displayName ?? '', password, roleIds },
        actorOf(request),
      );
      return reply.code(201).send(userView(created.user, created.roles));
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/users/:id',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags: ['users'],
        summary: 'One user',
        params: IdParams,
        response: { 200: UserView, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const u = await deps.users.get(request.tenant, request.params.id);
      return userView(u.user, u.roles);
    },
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof Patch> }>(
    '/users/:id',
    {
      config: { scope: 'latchkey:users' },
      onRequest: requireManager,
      schema: {
        tags: ['users'],
        summary: "Change a user's name, status (active/disabled), roles or password",
        params: IdParams,
        body: Patch,
        response: { 200: UserView, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => {
      if (request.body.password !== undefined) await mintsCredential(request);
      const { auth } = request;
      const change = await deps.users.manage(
        request.tenant,
        auth!.principal,
        request.params.id,
        request.body,
        { ip: request.ip, sessionHash: auth?.via === 'session' ? auth.sessionHash : undefined },
        actorOf(request),
      );
      return userView(change.user, change.rolesAfter);
    },
  );
}
