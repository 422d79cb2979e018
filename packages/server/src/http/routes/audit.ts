import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { AuditService } from '../../domain/audit/query.js';
import type { AuditEvent } from '../../domain/audit/model.js';
import { requireManager } from '../auth.js';
import { Cursor, Limit, Nullable, PageOf, Timestamp, errors, iso } from '../schemas.js';

const Query = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. user.invited' })),
    actorId: Type.Optional(Type.String({ maxLength: 200 })),
    targetId: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601, inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601, exclusive' })),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const Event = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actorType: Type.String(),
  actorId: Nullable(Type.String()),
  actorClientId: Nullable(
    Type.String({ description: 'the OAuth2 client whose token made the call; null for the console and the system' }),
  ),
  action: Type.String(),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  details: Type.Object({}, { additionalProperties: true }),
});

const eventView = (e: AuditEvent) => ({
  id: e.id,
  at: iso(e.at),
  actorType: e.actorType,
  actorId: e.actorId,
  actorClientId: e.actorClientId,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  details: e.details,
});

const time = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));

export interface AuditRouteDeps {
  audit: AuditService;
}

export async function auditRoutes(app: FastifyInstance, deps: AuditRouteDeps): Promise<void> {
  app.get<{ Querystring: Static<typeof Query> }>(
    '/audit',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags: ['audit'],
        summary: "The domain's audit trail, newest first",
        querystring: Query,
        response: { 200: PageOf(Event), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { action, actorId, targetId, from, to, limit, cursor } = request.query;
      const page = await deps.audit.list(
        request.tenant,
        { action, actorId, targetId, from: time(from), to: time(to) },
        limit,
        cursor,
      );
      return { items: page.items.map(eventView), nextCursor: page.nextCursor };
    },
  );
}
