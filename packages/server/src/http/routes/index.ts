import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import cookie from '@fastify/cookie';
import type { AppContext } from '../../context.js';
import { resolveTenant } from '../tenant.js';
import { authenticate, authenticatePlatform, requireScopeDeclarations } from '../auth.js';
import { sessionRoutes } from './session.js';
import { loginPageRoutes } from './login-page.js';
import { meRoutes } from './me.js';
import { userRoutes } from './users.js';
import { roleRoutes } from './roles.js';
import { settingsRoutes } from './settings.js';
import { auditRoutes } from './audit.js';
import { platformTenantRoutes } from './platform-tenants.js';
import { appRoutes } from './apps.js';
import { personalClientRoutes } from './personal-clients.js';
import { staleCredentialRoutes } from './stale-credentials.js';
import { resourceRoutes } from './resources.js';
import { signingKeyRoutes } from './signing-keys.js';
import { webhookRoutes } from './webhooks.js';
import { identityProviderRoutes } from './identity-providers.js';
import { ssoLoginRoutes } from './sso-login.js';

/**
 * The management API: per tenant `/t/:tenant/api/v1/...` (every route authenticated unless marked
 * public), the platform's `/platform/api/v1/...` (platform administrators only), and the HTML
 * sign-in form at `/t/:tenant/login`.
 */
export async function managementRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Sessions are the only cookies: parsed and set here, not on the OAuth endpoints' hot path.
  await app.register(cookie);
  await app.register(async (api) => {
    resolveTenant(api, ctx.tenants);
    requireScopeDeclarations(api);
    api.addHook('onRequest', authenticate(ctx));
    // Each plugin takes its own deps; the context holds all of them.
    const tenantRoutes: FastifyPluginAsync<AppContext>[] = [sessionRoutes, meRoutes, userRoutes, roleRoutes, settingsRoutes, auditRoutes, appRoutes, personalClientRoutes, staleCredentialRoutes, resourceRoutes, signingKeyRoutes, webhookRoutes, identityProviderRoutes];
    for (const routes of tenantRoutes) {
      await api.register(routes, ctx);
    }
  }, { prefix: '/t/:tenant/api/v1' });

  await app.register(async (pages) => {
    resolveTenant(pages, ctx.tenants);
    await pages.register(loginPageRoutes, ctx);
    await pages.register(ssoLoginRoutes, ctx);
  }, { prefix: '/t/:tenant' });

  await app.register(async (platform) => {
    requireScopeDeclarations(platform);
    platform.addHook('onRequest', authenticatePlatform(ctx));
    await platform.register(platformTenantRoutes, ctx);
  }, { prefix: '/platform/api/v1' });
}
