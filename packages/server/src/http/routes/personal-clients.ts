import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Client } from '../../domain/clients/model.js';
import type { ClientWithOwner } from '../../domain/clients/ports.js';
import { scopeSubset, personalStatus, type PersonalClientService } from '../../domain/clients/personal.js';
import { actorOf, mintsCredential, requireManager } from '../auth.js';
import { bodyOptional } from '../json-body.js';
import { badRequest } from '../problem.js';
import { parseExpiresAt } from '../../lib/expires-at.js';
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

const Status = Type.Union([Type.Literal('active'), Type.Literal('expired'), Type.Literal('revoked')]);
const RevokedByView = Nullable(
  Type.Object({
    by: Type.Union([Type.Literal('owner'), Type.Literal('manager'), Type.Literal('policy')]),
    userId: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  }),
);
const ScopesView = Nullable(Type.Array(Type.String()), {
  description:
    "the scopes this client's tokens may carry (never more than the owner holds at the time of the request); null: all of the owner's permissions",
});
const ClientView = Type.Object({
  id: Type.String(),
  clientId: Type.String(),
  name: Type.String(),
  scopes: ScopesView,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  ...LastUse,
  status: Status,
  revokedAt: Nullable(Timestamp),
  revokedBy: RevokedByView,
  previousSecretExpiresAt: PreviousSecretExpiresAt,
});
const ManagedClientView = Type.Intersect([
  ClientView,
  Type.Object({
    owner: Type.Object({ id: Type.String(), email: Nullable(Type.String()), displayName: Nullable(Type.String()) }),
  }),
]);
const NewSecret = Type.Object({
  clientSecret: Type.String({ description: 'the new secret, shown only in this response; the client id is unchanged' }),
});
const Rotated = Type.Intersect([ClientView, NewSecret]);
const ManagedRotated = Type.Intersect([ManagedClientView, NewSecret]);
const Created = Type.Object({
  id: Type.String(),
  clientId: Type.String(),
  clientSecret: Type.String({ description: 'shown only in this response' }),
  name: Type.String(),
  scopes: ScopesView,
  createdAt: Timestamp,
  expiresAt: Timestamp,
});
const NewClient = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    expiresAt: Type.String({
      maxLength: 40,
      description:
        "ISO 8601 date-time, or a date (YYYY-MM-DD) meaning the end of that day UTC; in the future and within the domain's maximum lifetime",
    }),
    // Not nullable: with type coercion a union with null would turn [""] into null, i.e. "everything".
    scopes: Type.Optional(
      Type.Array(ScopeName, {
        maxItems: 200,
        description:
          'a subset of the scopes you hold now; left out: all of your permissions (as they are at each token request)',
      }),
    ),
  },
  { additionalProperties: false },
);

const SortOrder = {
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
  limit: Limit,
  cursor: Type.Optional(Cursor),
};
const OwnQuery = Type.Object(
  {
    status: Type.Optional(Status),
    sort: Type.Union(
      ['name', 'clientId', 'createdAt', 'expiresAt', 'lastUsedAt', 'status'].map((s) => Type.Literal(s)),
      { default: 'createdAt' },
    ),
    ...SortOrder,
  },
  { additionalProperties: false },
);
const ManagerQuery = Type.Object(
  {
    ownerEmail: Type.Optional(Type.String({ maxLength: 320 })),
    ownerId: Type.Optional(Type.String({ maxLength: 100 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the name' })),
    status: Type.Optional(Status),
    createdFrom: Type.Optional(Type.String({ format: 'date-time' })),
    createdTo: Type.Optional(Type.String({ format: 'date-time' })),
    expiresFrom: Type.Optional(Type.String({ format: 'date-time' })),
    expiresTo: Type.Optional(Type.String({ format: 'date-time' })),
    lastUsedFrom: Type.Optional(Type.String({ format: 'date-time' })),
    lastUsedTo: Type.Optional(
      Type.String({ format: 'date-time', description: 'never-used clients match no last-used range' }),
    ),
    sort: Type.Union(
      ['name', 'owner', 'clientId', 'createdAt', 'expiresAt', 'lastUsedAt', 'status'].map((s) => Type.Literal(s)),
      { default: 'createdAt' },
    ),
    ...SortOrder,
  },
  { additionalProperties: false },
);

type Sort = 'name' | 'owner' | 'createdAt' | 'expiresAt' | 'lastUsedAt';
const ms = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));

export interface PersonalClientRouteDeps {
  personalClients: PersonalClientService;
}

/** Personal OAuth2 clients: each user's own (`/me/oauth2-clients`) and the domain managers' view of all. */
export async function personalClientRoutes(
  app: FastifyInstance,
  { personalClients }: PersonalClientRouteDeps,
): Promise<void> {
  const tags = ['personal OAuth2 clients'];

  const view = async (request: FastifyRequest, c: Client) => ({
    id: c.id,
    clientId: c.clientId,
    name: c.name,
    scopes: scopeSubset(c),
    createdAt: iso(c.createdAt),
    expiresAt: iso(c.expiresAt!),
    ...lastUseView(c),
    status: personalStatus(c),
    revokedAt: c.revokedAt === null ? null : iso(c.revokedAt),
    revokedBy: await personalClients.revoker(request.tenant, c),
    previousSecretExpiresAt: previousSecretView(c),
  });
  const managedView = async (request: FastifyRequest, c: ClientWithOwner) => ({
    ...(await view(request, c)),
    owner: { id: c.ownerUserId!, email: c.ownerEmail, displayName: c.ownerDisplayName },
  });
  const me = (request: FastifyRequest) => request.auth!.principal;

  app.post<{ Body: Static<typeof NewClient> }>(
    '/me/oauth2-clients',
    {
      config: { scope: 'latchkey:clients' },
      onRequest: mintsCredential,
      schema: {
        tags,
        summary: 'Create a personal OAuth2 client (the secret is shown only in this response)',
        body: NewClient,
        response: { 201: Created, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { client, clientSecret } = await personalClients.create(
        request.tenant,
        me(request),
        {
          name: request.body.name,
          expiresAt: parseExpiresAt(request.body.expiresAt),
          scopes: request.body.scopes,
        },
        actorOf(request),
      );
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          id: client.id,
          clientId: client.clientId,
          clientSecret,
          name: client.name,
          scopes: scopeSubset(client),
          createdAt: iso(client.createdAt),
          expiresAt: iso(client.expiresAt!),
        });
    },
  );

  app.get<{ Querystring: Static<typeof OwnQuery> }>(
    '/me/oauth2-clients',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags,
        summary: 'My personal OAuth2 clients',
        querystring: OwnQuery,
        response: { 200: PageOf(ClientView), ...errors(400, 401) },
      },
    },
    async (request) => {
      const { status, sort, order, limit, cursor } = request.query;
      const page = await personalClients.list(
        request.tenant,
        { ownerUserId: me(request).user.id, status },
        { sort: sort as Sort, dir: order, limit, cursor },
      );
      return { items: await Promise.all(page.items.map((c) => view(request, c))), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/me/oauth2-clients/:id',
    {
      config: { scope: 'latchkey:read' },
      schema: {
        tags,
        summary: 'One of my personal OAuth2 clients (also tells who revoked it)',
        params: IdParams,
        response: { 200: ClientView, ...errors(401, 404) },
      },
    },
    async (request) => view(request, await personalClients.get(request.tenant, request.params.id, me(request).user.id)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/me/oauth2-clients/:id',
    {
      config: { scope: 'latchkey:clients' },
      schema: {
        tags,
        summary: 'Revoke one of my personal OAuth2 clients, immediately',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const userId = me(request).user.id;
      await personalClients.revoke(
        request.tenant,
        request.params.id,
        { by: 'owner', userId },
        userId,
        actorOf(request),
      );
      return reply.code(204).send();
    },
  );

  const ROTATE_SUMMARY =
    'Rotate the secret, keeping the client id: the new secret is shown only in this response; the old one stops working now, or when the overlap ends';
  const ROTATE_DESCRIPTION =
    'What the replaced secret obtained (its access tokens) ends with it. Rotating again during an overlap ends the older secret at once. Refused with 409 for a client that cannot get tokens (revoked, expired, owner disabled).';

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateSecret> }>(
    '/me/oauth2-clients/:id/rotate',
    {
      config: { scope: 'latchkey:clients' },
      onRequest: mintsCredential,
      preValidation: bodyOptional,
      schema: {
        tags,
        summary: ROTATE_SUMMARY,
        description: ROTATE_DESCRIPTION,
        params: IdParams,
        body: RotateSecret,
        response: { 200: Rotated, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const principal = me(request);
      const r = await personalClients.rotate(
        request.tenant,
        request.params.id,
        { by: 'owner', principal },
        request.body.overlapSeconds,
        actorOf(request),
      );
      return reply
        .header('cache-control', 'no-store')
        .send({ ...(await view(request, r.client)), clientSecret: r.clientSecret });
    },
  );

  app.get<{ Querystring: Static<typeof ManagerQuery> }>(
    '/oauth2-clients',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: "Every user's personal OAuth2 clients (domain managers)",
        querystring: ManagerQuery,
        response: { 200: PageOf(ManagedClientView), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const range = {
        createdFrom: ms(q.createdFrom),
        createdTo: ms(q.createdTo),
        expiresFrom: ms(q.expiresFrom),
        expiresTo: ms(q.expiresTo),
        lastUsedFrom: ms(q.lastUsedFrom),
        lastUsedTo: ms(q.lastUsedTo),
      };
      if (Object.values(range).some((v) => v !== undefined && Number.isNaN(v)))
        throw badRequest('date filters must be ISO 8601 date-times');
      const page = await personalClients.list(
        request.tenant,
        {
          ownerEmail: q.ownerEmail?.trim(),
          ownerUserId: q.ownerId,
          nameContains: q.name,
          status: q.status,
          ...range,
        },
        { sort: q.sort as Sort, dir: q.order, limit: q.limit, cursor: q.cursor },
      );
      return { items: await Promise.all(page.items.map((c) => managedView(request, c))), nextCursor: page.nextCursor };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/oauth2-clients/:id',
    {
      config: { scope: 'latchkey:clients' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: "Revoke any user's personal OAuth2 client (domain managers)",
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await personalClients.revoke(
        request.tenant,
        request.params.id,
        { by: 'manager', userId: me(request).user.id },
        undefined,
        actorOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof RotateSecret> }>(
    '/oauth2-clients/:id/rotate',
    {
      config: { scope: 'latchkey:clients' },
      onRequest: [requireManager, mintsCredential],
      preValidation: bodyOptional,
      schema: {
        tags,
        summary: `${ROTATE_SUMMARY} (domain managers, any user's client)`,
        description: `${ROTATE_DESCRIPTION} A manager may not rotate a client of an account with more power (403); the owner is told by email.`,
        params: IdParams,
        body: RotateSecret,
        response: { 200: ManagedRotated, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const r = await personalClients.rotate(
        request.tenant,
        request.params.id,
        { by: 'manager', principal: me(request) },
        request.body.overlapSeconds,
        actorOf(request),
      );
      return reply.header('cache-control', 'no-store').send({
        ...(await managedView(request, await personalClients.withOwner(request.tenant, r.client))),
        clientSecret: r.clientSecret,
      });
    },
  );
}
