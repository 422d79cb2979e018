import type { FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { TenantCache } from '../../domain/tenants/cache.js';
import type { TenantUrls } from '../../domain/tenants/urls.js';
import type { HostDirectory } from '../../domain/tenants/host-directory.js';
import { resolveTenant } from '../tenant.js';
import { authenticate, authenticatePlatform, requireScopeDeclarations, type AuthDeps } from '../auth.js';
import { sessionRoutes, type SessionRouteDeps } from './session.js';
import { loginPageRoutes, type LoginPageRouteDeps } from './login-page.js';
import { meRoutes } from './me.js';
import { userRoutes, type UserRouteDeps } from './users.js';
import { roleRoutes, type RoleRouteDeps } from './roles.js';
import { settingsRoutes, type SettingsRouteDeps } from './settings.js';
import { auditRoutes, type AuditRouteDeps } from './audit.js';
import { platformTenantRoutes, type PlatformTenantRouteDeps } from './platform-tenants.js';
import { appRoutes, type AppRouteDeps } from './apps.js';
import { personalClientRoutes, type PersonalClientRouteDeps } from './personal-clients.js';
import { staleCredentialRoutes, type StaleCredentialRouteDeps } from './stale-credentials.js';
import { resourceRoutes, type ResourceRouteDeps } from './resources.js';
import { signingKeyRoutes, type SigningKeyRouteDeps } from './signing-keys.js';
import { webhookRoutes, type WebhookRouteDeps } from './webhooks.js';
import { identityProviderRoutes, type IdentityProviderRouteDeps } from './identity-providers.js';
import { ssoLoginRoutes, type SsoLoginRouteDeps } from './sso-login.js';
import { federationPolicyRoutes, type FederationPolicyRouteDeps } from './federation-policies.js';

/** What the management API's plugins use, together; each plugin is handed only its own part. */
export type ManagementDeps = AuthDeps & {
  tenants: Pick<TenantCache, 'peek' | 'get'>;
  urls: Pick<TenantUrls, 'pathIssuer' | 'hostIssuer' | 'slugOfIssuer' | 'issuers'>;
  hosts: Pick<HostDirectory, 'load'>;
} & SessionRouteDeps &
  LoginPageRouteDeps &
  SsoLoginRouteDeps &
  UserRouteDeps &
  RoleRouteDeps &
  SettingsRouteDeps &
  AuditRouteDeps &
  AppRouteDeps &
  PersonalClientRouteDeps &
  StaleCredentialRouteDeps &
  ResourceRouteDeps &
  SigningKeyRouteDeps &
  WebhookRouteDeps &
  IdentityProviderRouteDeps &
  FederationPolicyRouteDeps &
  PlatformTenantRouteDeps;

/**
 * The management API: per tenant `/t/:tenant/api/v1/...` (every route authenticated unless marked
 * public), the platform's `/platform/api/v1/...` (platform administrators only), and the HTML
 * sign-in form at `/t/:tenant/login`.
 */
export async function managementRoutes(app: FastifyInstance, d: ManagementDeps): Promise<void> {
  const site = { config: d.config, urls: d.urls };
  // Sessions are the only cookies: parsed and set here, not on the OAuth endpoints' hot path.
  await app.register(cookie);
  await app.register(
    async (api) => {
      resolveTenant(api, d.tenants);
      requireScopeDeclarations(api);
      api.addHook('onRequest', authenticate(d));
      await api.register(sessionRoutes, { ...site, sessions: d.sessions, ssoLogins: d.ssoLogins });
      await api.register(meRoutes);
      await api.register(userRoutes, { users: d.users });
      await api.register(roleRoutes, { roles: d.roles });
      await api.register(settingsRoutes, { settings: d.settings });
      await api.register(auditRoutes, { audit: d.audit });
      await api.register(appRoutes, { apps: d.apps, urls: d.urls });
      await api.register(personalClientRoutes, { personalClients: d.personalClients });
      await api.register(staleCredentialRoutes, { staleCredentials: d.staleCredentials });
      await api.register(resourceRoutes, { resourceService: d.resourceService });
      await api.register(signingKeyRoutes, { keys: d.keys });
      await api.register(webhookRoutes, { webhooks: d.webhooks });
      await api.register(identityProviderRoutes, { identityProviders: d.identityProviders, urls: d.urls });
      await api.register(federationPolicyRoutes, { federationPolicies: d.federationPolicies });
    },
    { prefix: '/t/:tenant/api/v1' },
  );

  await app.register(
    async (pages) => {
      resolveTenant(pages, d.tenants);
      await pages.register(loginPageRoutes, { ...site, sessions: d.sessions });
      await pages.register(ssoLoginRoutes, { ...site, sessions: d.sessions, ssoLogins: d.ssoLogins });
    },
    { prefix: '/t/:tenant' },
  );

  await app.register(
    async (platform) => {
      requireScopeDeclarations(platform);
      platform.addHook('onRequest', authenticatePlatform(d));
      await platform.register(platformTenantRoutes, {
        platformTenants: d.platformTenants,
        urls: d.urls,
        hosts: d.hosts,
      });
    },
    { prefix: '/platform/api/v1' },
  );
}
