import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';

/** OAuth2 endpoints per tenant, plus RFC 8414 metadata. */
export async function oauthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  void app;
  void ctx;
}
