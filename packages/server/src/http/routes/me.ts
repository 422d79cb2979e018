import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { RoleRef, errors, roleRef } from '../schemas.js';

const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  status: Type.String(),
  roles: Type.Array(RoleRef),
  scopes: Type.Array(Type.String(), { description: "what the user's roles allow on the tenant's APIs" }),
  isDomainManager: Type.Boolean(),
  canCreateClients: Type.Boolean(),
  platformAdmin: Type.Boolean(),
  tenant: Type.Object({
    slug: Type.String(),
    name: Type.String(),
    enterpriseEnabled: Type.Boolean(),
    personalClientMaxDays: Type.Integer({ description: 'longest expiry a personal client may have, in days' }),
  }),
});

/** Needs no service: everything it answers is the request's principal and tenant. */
export async function meRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/me',
    {
      config: { scope: null },
      schema: {
        tags: ['me'],
        summary: 'The signed-in user, their roles and what they may do',
        response: { 200: Me, ...errors(401, 403) },
      },
    },
    async (request) => {
      const p = request.auth!.principal;
      const t = request.tenant;
      return {
        id: p.user.id,
        email: p.user.email,
        displayName: p.user.displayName,
        status: p.user.status,
        roles: p.roles.map(roleRef),
        scopes: p.scopes,
        isDomainManager: p.isManager,
        // Personal clients are an enterprise feature: the role alone is not enough.
        canCreateClients: p.isClientCreator && t.enterpriseEnabled,
        platformAdmin: p.user.platformAdmin,
        tenant: {
          slug: t.slug,
          name: t.name,
          enterpriseEnabled: t.enterpriseEnabled,
          personalClientMaxDays: t.personalClientMaxDays,
        },
      };
    },
  );
}
