import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { SettingsService } from '../../domain/tenants/settings.js';
import { SETTINGS_LIMITS } from '../../domain/tenants/model.js';
import { actorOf, requireManager } from '../auth.js';
import { errors } from '../schemas.js';

const bounded = (key: keyof typeof SETTINGS_LIMITS, description: string) =>
  Type.Integer({ minimum: SETTINGS_LIMITS[key].min, maximum: SETTINGS_LIMITS[key].max, description });

const Settings = Type.Object({
  ssoEnforced: Type.Boolean({
    description:
      'refuse password sign-in and the password grant (break-glass accounts excepted); users use SSO and personal clients. Turning it on needs an enabled identity provider (409 no-identity-provider) and ends password-grant refresh tokens and password console sessions',
  }),
  signingCertificatePublic: Type.Boolean({ description: 'serve the JWKS without client authentication' }),
  accessTokenTtlSeconds: bounded('accessTokenTtlSeconds', 'lifetime of access tokens'),
  refreshTokenTtlSeconds: bounded('refreshTokenTtlSeconds', 'lifetime of refresh tokens'),
  personalClientMaxDays: bounded('personalClientMaxDays', 'longest expiry a personal client may have'),
  refreshTokenGraceSeconds: bounded(
    'refreshTokenGraceSeconds',
    'for how long a just-rotated refresh token, presented again by its client while its successor is unused, gets the same answer (a retry after a lost response); 0 turns it off',
  ),
  revokeClientsOnRoleLoss: Type.Boolean({
    description: "revoke a user's personal clients when they lose the creator role",
  }),
  auditRetentionDays: bounded(
    'auditRetentionDays',
    'days the audit log is kept; older events are deleted by the background maintenance of every server process (default 400)',
  ),
});
const SettingsPatch = Type.Partial(Settings, { additionalProperties: false, minProperties: 1 });

export interface SettingsRouteDeps {
  settings: SettingsService;
}

export async function settingsRoutes(app: FastifyInstance, deps: SettingsRouteDeps): Promise<void> {
  app.get(
    '/settings',
    {
      config: { scope: 'latchkey:read' },
      onRequest: requireManager,
      schema: {
        tags: ['settings'],
        summary: "The domain's settings",
        response: { 200: Settings, ...errors(401, 403) },
      },
    },
    async (request) => deps.settings.of(request.tenant),
  );

  app.patch<{ Body: Static<typeof SettingsPatch> }>(
    '/settings',
    {
      config: { scope: 'latchkey:settings' },
      onRequest: requireManager,
      schema: {
        tags: ['settings'],
        summary: 'Change settings',
        body: SettingsPatch,
        response: { 200: Settings, ...errors(400, 401, 403, 409) },
      },
    },
    async (request) => {
      return deps.settings.update(request.tenant, request.body, actorOf(request));
    },
  );
}
