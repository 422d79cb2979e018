import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { StaleCredentialService } from '../../domain/clients/stale.js';
import { requireManager } from '../auth.js';
import { Cursor, LastUse, Limit, Nullable, PageOf, Timestamp, errors, iso, lastUseView } from '../schemas.js';

const Days = Type.Integer({ minimum: 0, maximum: 3650 });
const StaleQuery = Type.Object(
  {
    neverUsed: Type.Optional(Type.Boolean({ description: 'never used since created' })),
    unusedDays: Type.Optional({
      ...Days,
      description: 'not used for at least this many days (never-used ones count from their creation)',
    }),
    expiringWithinDays: Type.Optional({ ...Days, description: 'not yet expired, expiring within this many days' }),
    kind: Type.Optional(Type.Union([Type.Literal('personal'), Type.Literal('app')])),
    sort: Type.Union([Type.Literal('createdAt'), Type.Literal('lastUsedAt'), Type.Literal('expiresAt')], {
      default: 'lastUsedAt',
    }),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  {
    additionalProperties: false,
    description: 'conditions combine with OR: an item meets at least one; at least one is needed',
  },
);

const StaleItem = Type.Object({
  kind: Type.Union([Type.Literal('personal'), Type.Literal('app')]),
  id: Type.String(),
  clientId: Type.String(),
  name: Type.String(),
  owner: Nullable(
    Type.Object({ id: Type.String(), email: Nullable(Type.String()), displayName: Nullable(Type.String()) }),
    { description: 'null for applications' },
  ),
  createdAt: Timestamp,
  expiresAt: Nullable(Timestamp),
  ...LastUse,
  reasons: Type.Array(Type.Union([Type.Literal('never_used'), Type.Literal('unused'), Type.Literal('expiring')]), {
    description: 'which of the asked conditions it meets',
  }),
});

export interface StaleCredentialRouteDeps {
  staleCredentials: StaleCredentialService;
}

/** Credentials worth a look (domain managers): never used, unused for a while, or about to expire. */
export async function staleCredentialRoutes(app: FastifyInstance, deps: StaleCredentialRouteDeps): Promise<void> {
  app.get<{ Querystring: Static<typeof StaleQuery> }>(
    '/stale-credentials',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags: ['stale credentials'],
        summary:
          'Personal OAuth2 clients and applications never used, unused for N days or expiring within N days (domain managers)',
        querystring: StaleQuery,
        response: { 200: PageOf(StaleItem), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { sort, order, limit, cursor, ...q } = request.query;
      const { page, reasons } = await deps.staleCredentials.list(request.tenant, q, {
        sort,
        dir: order,
        limit,
        cursor,
      });
      return {
        items: page.items.map((c) => ({
          kind: c.kind as 'personal' | 'app',
          id: c.id,
          clientId: c.clientId,
          name: c.name,
          owner:
            c.ownerUserId === null ? null : { id: c.ownerUserId, email: c.ownerEmail, displayName: c.ownerDisplayName },
          createdAt: iso(c.createdAt),
          expiresAt: c.expiresAt === null ? null : iso(c.expiresAt),
          ...lastUseView(c),
          reasons: reasons(c),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
}
