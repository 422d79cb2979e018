import type { FastifyInstance } from 'fastify';
import type { RevokeDeps } from '../../domain/tokens/deps.js';
import { revokeToken } from '../../domain/tokens/revoke.js';
import { authenticateClient, type ClientAuthDeps } from '../client-auth.js';
import { bounded, formParams, required } from '../params.js';
import { MAX_LENGTH } from '../../domain/limits.js';
import { issuingDeps, type UrlDeps } from '../../http/site.js';
import { InvalidRequest, UnsupportedTokenType } from '../errors.js';

/** POST /t/:tenant/oauth2/v1/revoke (RFC 7009). */
export async function revokeEndpoint(app: FastifyInstance, all: ClientAuthDeps & RevokeDeps & UrlDeps): Promise<void> {
  app.post('/oauth2/v1/revoke', { schema: { hide: true } }, async (request, reply) => {
    const deps = issuingDeps(all, request, all.urls);
    const params = formParams(request);
    const auth = await authenticateClient(deps, request.tenant, request, params, true);
    const token = required(params, 'token');
    bounded(token, 'token', MAX_LENGTH.jwt, (d) => new InvalidRequest(d));
    const hint = params.token_type_hint;
    if (hint !== undefined && hint !== 'access_token' && hint !== 'refresh_token') {
      throw new UnsupportedTokenType(`token_type_hint ${hint} is not supported`);
    }
    await revokeToken(deps, request.tenant, auth.client, token);
    return reply.header('cache-control', 'no-store').code(200).send();
  });
}
