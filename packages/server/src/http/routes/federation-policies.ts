import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { FederationPolicy } from '../../domain/federation/model.js';
import type { FederationPolicyService } from '../../domain/federation/policies.js';
import { FEDERATION_PRESETS } from '../../domain/federation/presets.js';
import { MAX_CONDITIONS, TOKEN_LIFETIME } from '../../domain/federation/model.js';
import { IssuerProblem } from '../../domain/sso/discovery.js';
import { actorOf, requireManager } from '../auth.js';
import { Problem } from '../problem.js';
import { Cursor, IdParams, Limit, Nullable, PageOf, ScopeName, Timestamp, errors, iso } from '../schemas.js';

const tags = ['federation-policies'];

const Preset = Type.Union(
  FEDERATION_PRESETS.map((p) => Type.Literal(p)),
  {
    description:
      "the rules the conditions are checked against: github-actions (an exact repository_id or repository_owner_id), gitlab-ci (an exact project_id or namespace_id), kubernetes (one exact service-account sub); null: any other issuer (an exact sub). GitHub's and GitLab's hosted issuers always get theirs",
  },
);
const Conditions = Type.Record(Type.String({ maxLength: 100 }), Type.String({ minLength: 1, maxLength: 500 }), {
  maxProperties: MAX_CONDITIONS,
  description:
    'claim name → exact value, or a glob where each * stands for one or more characters other than "/" (refs/heads/release/*); every condition must hold',
});

const PolicyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  issuer: Type.String({ description: "the external issuer, exactly as its tokens' iss" }),
  audience: Type.String({ description: 'the aud an external token must carry' }),
  conditions: Conditions,
  appId: Type.String({ description: 'the application the exchanged tokens act as' }),
  appClientId: Type.String(),
  scopes: Type.Array(Type.String(), { description: "a subset of the application's scopes" }),
  maxTokenLifetimeSeconds: Type.Integer(),
  preset: Nullable(Preset),
  refuseReplay: Type.Boolean({ description: 'each external token (its jti) is exchanged once at most' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  firstUsedAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp, { description: 'recorded in batches, so a few seconds late' }),
  lastSubject: Nullable(Type.String({ description: 'the external sub of the last exchange' })),
});

const view = (p: FederationPolicy) => ({
  id: p.id,
  name: p.name,
  issuer: p.issuer,
  audience: p.audience,
  conditions: p.conditions,
  appId: p.appId,
  appClientId: p.appClientId,
  scopes: p.scopes,
  maxTokenLifetimeSeconds: p.maxTokenLifetimeSeconds,
  preset: p.preset,
  refuseReplay: p.refuseReplay,
  createdAt: iso(p.createdAt),
  updatedAt: iso(p.updatedAt),
  firstUsedAt: p.firstUsedAt === null ? null : iso(p.firstUsedAt),
  lastUsedAt: p.lastUsedAt === null ? null : iso(p.lastUsedAt),
  lastSubject: p.lastSubject,
});

const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  issuer: Type.String({
    minLength: 1,
    maxLength: 500,
    description:
      "an https OpenID Connect issuer (plain http only on the loopback interface); its discovery document and keys are fetched when saved. Defaults to the preset's hosted issuer",
  }),
  audience: Type.String({ minLength: 1, maxLength: 500, description: "defaults to this tenant's issuer URL" }),
  conditions: Conditions,
  appId: Type.String({ minLength: 1, maxLength: 100 }),
  scopes: Type.Array(ScopeName, { minItems: 1, maxItems: 100 }),
  maxTokenLifetimeSeconds: Type.Integer({
    minimum: TOKEN_LIFETIME.min,
    maximum: TOKEN_LIFETIME.max,
    default: TOKEN_LIFETIME.default,
  }),
  preset: Nullable(Preset),
  refuseReplay: Type.Boolean({ default: false }),
};
const NewPolicy = Type.Object(
  {
    name: fields.name,
    issuer: Type.Optional(fields.issuer),
    audience: Type.Optional(fields.audience),
    conditions: fields.conditions,
    appId: fields.appId,
    scopes: fields.scopes,
    maxTokenLifetimeSeconds: Type.Optional(fields.maxTokenLifetimeSeconds),
    preset: Type.Optional(fields.preset),
    refuseReplay: Type.Optional(fields.refuseReplay),
  },
  { additionalProperties: false },
);
const PolicyPatch = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

const ListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the name' })),
    appId: Type.Optional(Type.String({ maxLength: 100 })),
    issuer: Type.Optional(Type.String({ maxLength: 500 })),
    sort: Type.Union([Type.Literal('name'), Type.Literal('createdAt'), Type.Literal('lastUsedAt')], {
      default: 'name',
    }),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    limit: Limit,
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);

/** An issuer that cannot be used, as the problem SSO providers answer: `issuer_unreachable` or `issuer_invalid`. */
async function discovering<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof IssuerProblem) throw new Problem(`issuer_${err.kind}`, err.message);
    throw err;
  }
}

export interface FederationPolicyRouteDeps {
  federationPolicies: FederationPolicyService;
}

/**
 * Workload identity federation's trust policies, managed by domain managers like applications
 * (whose tokens they give). A policy is a trust anchor: only an interactive sign-in changes one.
 */
export async function federationPolicyRoutes(
  app: FastifyInstance,
  { federationPolicies }: FederationPolicyRouteDeps,
): Promise<void> {
  type ById = { Params: Static<typeof IdParams> };

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/federation-policies',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'List federation policies (which external workloads may act as which application)',
        querystring: ListQuery,
        response: { 200: PageOf(PolicyView), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { q, appId, issuer, sort, order, limit, cursor } = request.query;
      const page = await federationPolicies.list(
        request.tenant,
        { nameContains: q, appId, issuer },
        { sort, dir: order, limit, cursor },
      );
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  app.post<{ Body: Static<typeof NewPolicy> }>(
    '/federation-policies',
    {
      config: { scope: 'latchkey:apps', trustAnchor: 'adding a federation policy' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: "Trust an external issuer's tokens to act as an application (the issuer is discovered and checked)",
        body: NewPolicy,
        response: { 201: PolicyView, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const p = await discovering(() => federationPolicies.create(request.tenant, request.body, actorOf(request)));
      return reply.code(201).send(view(p));
    },
  );

  app.get<ById>(
    '/federation-policies/:id',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'One federation policy',
        params: IdParams,
        response: { 200: PolicyView, ...errors(401, 403, 404) },
      },
    },
    async (request) => view(await federationPolicies.get(request.tenant, request.params.id)),
  );

  app.patch<ById & { Body: Static<typeof PolicyPatch> }>(
    '/federation-policies/:id',
    {
      config: { scope: 'latchkey:apps', trustAnchor: 'changing a federation policy' },
      onRequest: requireManager,
      schema: {
        tags,
        summary:
          'Change a federation policy (checked like a new one); a change of its terms ends the tokens it gave under the old ones',
        params: IdParams,
        body: PolicyPatch,
        response: { 200: PolicyView, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      view(
        await discovering(() =>
          federationPolicies.update(request.tenant, request.params.id, request.body, actorOf(request)),
        ),
      ),
  );

  app.delete<ById>(
    '/federation-policies/:id',
    {
      config: { scope: 'latchkey:apps', trustAnchor: 'deleting a federation policy' },
      onRequest: requireManager,
      schema: {
        tags,
        summary: 'Delete a federation policy: exchanges under it stop at once, and the tokens it gave end',
        params: IdParams,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await federationPolicies.delete(request.tenant, request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );
}
