import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { OutboxAttempt, OutboxMessage, WebhookEndpoint } from '../../domain/webhooks/model.js';
import { WEBHOOK_EVENTS, WEBHOOK_EVENT_DESCRIPTIONS } from '../../domain/webhooks/events.js';
import type { WebhookService } from '../../domain/webhooks/endpoints.js';
import { invalid } from '../../domain/errors.js';
import { actorOf, mintsCredential, requireManager } from '../auth.js';
import { Cursor, IdParams, Limit, Nullable, PageOf, Timestamp, errors, iso } from '../schemas.js';

const Events = Type.Array(Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e))), {
  minItems: 1,
  maxItems: WEBHOOK_EVENTS.length,
});
const Url = Type.String({ minLength: 1, maxLength: 2000, description: 'https, or http to a loopback address' });

const State = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);

const LastDelivery = Type.Object(
  {
    messageId: Type.String(),
    eventType: Type.String(),
    state: State,
    createdAt: Timestamp,
    attempts: Type.Integer(),
    lastAttemptAt: Nullable(Timestamp),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
  },
  { description: 'the newest message queued for the endpoint and how its delivery stands' },
);
type Latest = OutboxMessage & { lastAttempt: OutboxAttempt | null };
const lastDeliveryView = (m: Latest | undefined) =>
  m
    ? {
        messageId: m.id,
        eventType: m.eventType,
        state: m.state,
        createdAt: iso(m.createdAt),
        attempts: m.attempts,
        lastAttemptAt: m.lastAttempt ? iso(m.lastAttempt.at) : null,
        lastStatusCode: m.lastAttempt?.statusCode ?? null,
        lastError: m.lastAttempt?.error ?? null,
      }
    : null;

const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastDelivery: Nullable(LastDelivery),
});
const endpointView = (e: WebhookEndpoint, latest?: Latest) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  enabled: e.enabled,
  createdAt: iso(e.createdAt),
  updatedAt: iso(e.updatedAt),
  lastDelivery: lastDeliveryView(latest),
});
const WithSecret = Type.Intersect([
  EndpointView,
  Type.Object({
    secret: Type.String({ description: 'whsec_…: the Standard Webhooks signing secret, shown only in this response' }),
  }),
]);

const NewEndpoint = Type.Object(
  {
    url: Url,
    events: Events,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Patch = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ListQuery = Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }, { additionalProperties: false });
const DeliveryQuery = Type.Object(
  {
    state: Type.Optional(State),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Timestamp,
  statusCode: Nullable(Type.Integer()),
  error: Nullable(
    Type.String({
      description:
        'what failed, as a coarse class only: `HTTP 502`, `timeout`, `connection failed`, `TLS error`, `address not allowed`',
    }),
  ),
  durationMs: Type.Integer(),
});
const Delivery = Type.Object({
  messageId: Type.String({ description: 'the webhook-id header: the same on every attempt' }),
  eventType: Type.String(),
  state: State,
  attempts: Type.Integer(),
  createdAt: Timestamp,
  nextAttemptAt: Nullable(Timestamp),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  log: Type.Array(Attempt),
});
const EventTypes = Type.Object({
  items: Type.Array(Type.Object({ type: Type.String(), description: Type.String() })),
});

const attemptView = (a: OutboxAttempt) => ({
  attempt: a.attempt,
  at: iso(a.at),
  statusCode: a.statusCode,
  error: a.error,
  durationMs: a.durationMs,
});
const deliveryView = (m: OutboxMessage & { log: OutboxAttempt[] }) => {
  const last = m.log[m.log.length - 1];
  return {
    messageId: m.id,
    eventType: m.eventType,
    state: m.state,
    attempts: m.attempts,
    createdAt: iso(m.createdAt),
    nextAttemptAt: m.state === 'pending' && m.nextAttemptAt !== null ? iso(m.nextAttemptAt) : null,
    lastStatusCode: last?.statusCode ?? null,
    lastError: last?.error ?? null,
    log: m.log.map(attemptView),
  };
};

// Cursors are the last id seen, wrapped so callers treat them as opaque.
const encode = (id: string) => Buffer.from(JSON.stringify({ i: id })).toString('base64url');
function decode(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const id = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')).i;
    if (typeof id === 'string') return id;
  } catch {
    /* fall through */
  }
  throw invalid('cursor is not valid');
}

export interface WebhookRouteDeps {
  webhooks: WebhookService;
}

/** Webhook endpoints and their delivery logs, for domain managers. */
export async function webhookRoutes(app: FastifyInstance, { webhooks }: WebhookRouteDeps): Promise<void> {
  const tags = ['webhooks'];
  type ById = { Params: Static<typeof IdParams> };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/webhooks',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'List webhook endpoints, oldest first',
        querystring: ListQuery,
        response: { 200: PageOf(EndpointView), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await webhooks.list(request.tenant, limit + 1, decode(cursor));
      const items = rows.slice(0, limit);
      const latest = await webhooks.latestDeliveries(
        request.tenant,
        items.map((e) => e.id),
      );
      const byEndpoint = new Map(latest.map((m) => [m.endpointId, m]));
      return {
        items: items.map((e) => endpointView(e, byEndpoint.get(e.id))),
        nextCursor: rows.length > limit ? encode(items[items.length - 1].id) : null,
      };
    },
  );

  app.get(
    '/webhooks/event-types',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'The events an endpoint can subscribe to, with what each means',
        response: { 200: EventTypes, ...errors(401, 403) },
      },
    },
    async () => ({ items: WEBHOOK_EVENTS.map((type) => ({ type, description: WEBHOOK_EVENT_DESCRIPTIONS[type] })) }),
  );

  app.post<{ Body: Static<typeof NewEndpoint> }>(
    '/webhooks',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'adding a webhook' },
      onRequest: [requireManager, mintsCredential],
      schema: {
        tags,
        summary: 'Create a webhook endpoint (its signing secret is shown once)',
        body: NewEndpoint,
        response: { 201: WithSecret, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.create(request.tenant, request.body, actorOf(request));
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...endpointView(endpoint), secret });
    },
  );

  app.get<ById>(
    '/webhooks/:id',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'One webhook endpoint',
        params: IdParams,
        response: { 200: EndpointView, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      const endpoint = await webhooks.get(request.tenant, request.params.id);
      const [latest] = await webhooks.latestDeliveries(request.tenant, [endpoint.id]);
      return endpointView(endpoint, latest);
    },
  );

  app.patch<ById & { Body: Static<typeof Patch> }>(
    '/webhooks/:id',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'changing a webhook' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Change the URL, events, description or enabled',
        params: IdParams,
        body: Patch,
        response: { 200: EndpointView, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const endpoint = await webhooks.update(request.tenant, request.params.id, request.body, actorOf(request));
      const [latest] = await webhooks.latestDeliveries(request.tenant, [endpoint.id]);
      return endpointView(endpoint, latest);
    },
  );

  app.delete<ById>(
    '/webhooks/:id',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'deleting a webhook' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Delete a webhook endpoint and its delivery log',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await webhooks.delete(request.tenant, request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.post<ById>(
    '/webhooks/:id/secret',
    {
      config: { scope: 'latchkey:settings', trustAnchor: "regenerating a webhook's secret" },
      onRequest: [requireManager, mintsCredential],
      schema: {
        tags,
        summary: 'Rotate the signing secret (the new one is shown once; the old one stops at once)',
        params: IdParams,
        response: { 200: WithSecret, ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.rotateSecret(request.tenant, request.params.id, actorOf(request));
      const [latest] = await webhooks.latestDeliveries(request.tenant, [endpoint.id]);
      return reply.header('cache-control', 'no-store').send({ ...endpointView(endpoint, latest), secret });
    },
  );

  app.post<ById>(
    '/webhooks/:id/test',
    {
      config: { scope: 'latchkey:settings', trustAnchor: 'sending a test event to a webhook' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Send a test event (`webhook.test`) to this endpoint',
        description:
          'Queues one `webhook.test` message for this endpoint only (whatever it subscribes to), delivered, signed and retried like any event; it shows in the delivery log. A disabled endpoint is refused with 409 (it gets no deliveries).',
        params: IdParams,
        response: { 202: Delivery, ...errors(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const m = await webhooks.sendTest(request.tenant, request.params.id, actorOf(request));
      return reply.code(202).send(deliveryView({ ...m, log: [] }));
    },
  );

  app.get<ById & { Querystring: Static<typeof DeliveryQuery> }>(
    '/webhooks/:id/deliveries',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: "The endpoint's delivery log, newest message first",
        params: IdParams,
        querystring: DeliveryQuery,
        response: { 200: PageOf(Delivery), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { state, limit, cursor } = request.query;
      await webhooks.get(request.tenant, request.params.id);
      const rows = await webhooks.deliveries(request.tenant, request.params.id, { state }, limit + 1, decode(cursor));
      const items = rows.slice(0, limit);
      return {
        items: items.map(deliveryView),
        nextCursor: rows.length > limit ? encode(items[items.length - 1].id) : null,
      };
    },
  );
}
