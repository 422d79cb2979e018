import { issueTokens } from '../../domain/tokens/issue.js';
import { secretGrantId } from '../../domain/tokens/grants.js';
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
  // A personal client's tokens die with the client; an application's also with its secret.
  const grantId = personal ? undefined : secretGrantId(client);
  return issueTokens(deps, tenant, {
    client,
    userId: personal ? owner!.user.id : null,
    scopes,
    withRefresh: false,
    grantId,
  });
};
