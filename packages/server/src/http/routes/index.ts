import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';

/** The management API: platform routes and, per tenant, `/t/:tenant/api/v1/...`. */
export async function managementRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  void app;
  void ctx;
}
