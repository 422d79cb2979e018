// "Metering": daily usage per instance and metric, filtered by date range and service. Scope `metering`.
import type { FastifyInstance } from 'fastify';
import { parseIsoDay } from '../data/dates.js';
import type { SampleStore } from '../data/store.js';
import { invalidRequest } from './errors.js';
import { decodeCursor, pageQuerySchema, pageSchema, services, toPage, type PageQuery } from './pagination.js';
import { tenantParams, usageSchema } from './schemas.js';

export const METERING_SCOPE = 'metering';

interface UsageQuery extends PageQuery {
  from?: string;
  to?: string;
}

function day(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const d = parseIsoDay(value);
  if (!d)
    throw invalidRequest(`${name} must be an ISO 8601 date (YYYY-MM-DD) or timestamp, got ${JSON.stringify(value)}`);
  return d;
}

export async function meteringRoutes(app: FastifyInstance, { store }: { store: SampleStore }): Promise<void> {
  app.get<{ Params: { tenant: string }; Querystring: UsageQuery }>(
    '/metering/api/v1/usage',
    {
      config: { requiredScopes: [METERING_SCOPE] },
      schema: {
        params: tenantParams,
        querystring: {
          type: 'object',
          properties: {
            ...pageQuerySchema,
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
          },
        },
        response: { 200: pageSchema(usageSchema) },
      },
    },
    async (request) => {
      const q = request.query;
      const from = day('from', q.from);
      const to = day('to', q.to);
      if (from && to && from > to) throw invalidRequest(`from (${from}) is after to (${to})`);
      const slice = store.usage(request.params.tenant, {
        from,
        to,
        limit: q.limit,
        services: services(q),
        after: decodeCursor('usage', q.cursor),
      });
      return toPage('usage', slice);
    },
  );
}
