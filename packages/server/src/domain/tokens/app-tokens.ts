import { randomUUID } from 'node:crypto';
import type { AppTokenDeps } from './deps.js';
import type { Tenant } from '../tenants/model.js';
import { GRANT_REFRESH_TOKEN } from '../clients/model.js';
import { getApp } from '../clients/apps.js';
import { invalid } from '../errors.js';
import { createRefreshToken, issueAccessToken } from './issue.js';
import { secretGrantId } from './grants.js';
import { auditActor, type Actor } from '../audit/actor.js';
import { recordAudit } from '../audit/record.js';

/** The `.tok` document a domain manager downloads for a developer. */
export interface TokFile {
  app_access_token: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  client_id: string;
  token_endpoint: string;
}

/**
 * An administrator generates an access token (and optionally a refresh token) for an application,
 * with a subset of its scopes. The developer holding the file refreshes with the app's id and secret.
 */
export async function generateAppTokens(
  ctx: AppTokenDeps,
  tenant: Tenant,
  appId: string,
  input: { scopes: string[]; includeRefreshToken: boolean },
  actor: Actor,
): Promise<TokFile> {
  const app = await getApp(ctx.store, tenant, appId);
  if (app.status !== 'active') throw invalid('the application is deactivated; activate it before generating tokens');
  const scopes = [...new Set(input.scopes)].sort();
  const extra = scopes.filter((s) => !app.scopes.includes(s));
  if (extra.length) throw invalid(`scopes not granted to this application: ${extra.join(', ')}`);
  if (input.includeRefreshToken && !app.grantTypes.includes(GRANT_REFRESH_TOKEN)) {
    throw invalid('the application does not allow the refresh_token grant');
  }
  // With a refresh token the file is a grant of its own; without, it lives and dies with the secret.
  const grantId = input.includeRefreshToken ? randomUUID() : undefined;
  const at = await issueAccessToken(ctx, tenant, {
    client: app,
    userId: null,
    scopes,
    grantId: grantId ?? secretGrantId(app),
  });
  const doc: TokFile = {
    app_access_token: at.token,
    token_type: 'Bearer',
    expires_in: at.expiresIn,
    scope: at.scope,
    client_id: app.clientId,
    token_endpoint: `${ctx.issuer(tenant)}/oauth2/v1/token`,
  };
  await ctx.store.transaction(async (tx) => {
    if (grantId) doc.refresh_token = await createRefreshToken(ctx, tx, tenant, app, null, at.scope, grantId);
    await recordAudit(tx, {
      tenantId: tenant.id,
      ...auditActor(actor),
      action: 'app.tokens_generated',
      targetType: 'app',
      targetId: app.id,
      details: { scopes, refreshToken: input.includeRefreshToken },
    });
  });
  return doc;
}
