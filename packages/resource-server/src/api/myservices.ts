// "My Services": what the tenant has bought and what runs under it. Scope `myservices`.
import type { FastifyInstance } from 'fastify';
import type { SampleStore } from '../data/store.js';
import { decodeCursor, pageQuerySchema, pageSchema, services, toPage, type PageQuery } from './pagination.js';
import { entitlementSchema, instanceSchema, tenantParams } from './schemas.js';

export const MYSERVICES_SCOPE = 'myservices';

export async function myservicesRoutes(app: FastifyInstance, { store }: { store: SampleStore }): Promise<void> {
  const config = { requiredScopes: [MYSERVICES_SCOPE] };
  const querystring = { type: 'object', properties: pageQuerySchema } as const;

  app.get<{ Params: { tenant: string }; Querystring: PageQuery }>(
    '/myservices/api/v1/serviceEntitlements',
    {
      config,
      schema: { params: tenantParams, querystring, response: { 200: pageSchema(entitlementSchema) } },
    },
    async (request) => {
      const q = request.query;
      const slice = store.entitlements(request.params.tenant, {
        limit: q.limit,
        services: services(q),
        after: decodeCursor('serviceEntitlements', q.cursor),
      });
      return toPage('serviceEntitlements', slice);
    },
  );

  app.get<{ Params: { tenant: string }; Querystring: PageQuery }>(
    '/myservices/api/v1/instances',
    {
      config,
      schema: { params: tenantParams, querystring, response: { 200: pageSchema(instanceSchema) } },
    },
    async (request) => {
      const q = request.query;
      const slice = store.instances(request.params.tenant, {
        limit: q.limit,
        services: services(q),
        after: decodeCursor('instances', q.cursor),
      });
      return toPage('instances', slice);
    },
  );
}
