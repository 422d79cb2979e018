import { issueTokens } from '../../domain/tokens/issue.js';
import { previousSecretGrantId, secretGrantId } from '../../domain/tokens/grants.js';
import { grantScope, parseScope, userScopesVia } from '../../domain/tokens/scope.js';
import { UnauthorizedClient } from '../errors.js';
import type { Grant } from './types.js';

/**
 * RFC 6749 §4.4. A personal client acts for its owner with the owner's current role scopes (narrowed
 * to its subset, if it has one); an
 * application acts for itself with its registered scopes. No refresh token (§4.4.3). The hot path:
 * cached client, one keyed hash, one signature, no store write (usage is batched).
 */
export const clientCredentials: Grant = async ({ deps, tenant, auth, params, origin }) => {
  const { client, owner } = auth;
  if (client.kind === 'public') throw new UnauthorizedClient('public clients cannot use client_credentials');
  const personal = client.kind === 'personal';
  const allowed = personal ? userScopesVia(client, owner!.scopes) : client.scopes;
  const scopes = grantScope(parseScope(params.scope), allowed);
  deps.usage.touch(client, origin);
  // The tokens die with the client and with the secret that obtained them: a secret a rotation
  // replaced obtains tokens that end when its overlap does.
  const previous = auth.previousSecret === true;
  return issueTokens(deps, tenant, {
    client,
    userId: personal ? owner!.user.id : null,
    scopes,
    withRefresh: false,
    grantId: previous ? previousSecretGrantId(client) : secretGrantId(client),
    notAfter: previous ? client.previousSecretExpiresAt! : undefined,
  });
};
