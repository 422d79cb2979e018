import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import { basic, form } from '../../../server/test/helpers/harness.js';
import { startInteropEnv, type InteropEnv } from '../../../server/test/interop/setup.js';
import { issueTokens } from '../../../server/src/domain/tokens/issue.js';
import { bearer, clientCredentials, type AppCredentials } from '../helpers/latchkey.js';
import { startResourceServer, type ResourceProcess } from '../helpers/resource-process.js';

/**
 * A signing key rotated while the sample API is up: the API meets a token with a kid it has never
 * seen, refetches the JWKS once, and from then on accepts both key generations.
 */
describe('key rotation while the sample API is running', () => {
  let env: InteropEnv;
  let rs: ResourceProcess;
  let app: AppCredentials;

  const status = async (token: string) =>
    (await fetch(`${rs.url}/t/demo/myservices/api/v1/serviceEntitlements`, { headers: bearer(token) })).status;
  const jwksFetches = async (atLeast: number) =>
    (await rs.waitForLogs('jwks fetched', atLeast)).map((l) => ({ reason: l.reason, kids: l.kids as string[] }));

  before(async () => {
    env = await startInteropEnv();
    app = { clientId: env.clientId, clientSecret: env.clientSecret };
    // Request log lines too: a later request's line shows every earlier fetch's line has been read.
    rs = await startResourceServer({ LATCHKEY_URL: env.server.url, LOG_REQUESTS: '1' });
  });
  after(async () => {
    await rs?.stop();
    await env?.close();
  });

  test('old and new tokens are accepted, at the cost of exactly one JWKS refetch', async () => {
    const oldToken = await clientCredentials(env.server.url, app, 'myservices');
    const oldKid = decodeProtectedHeader(oldToken).kid!;
    assert.equal(await status(oldToken), 200);
    assert.deepEqual(await jwksFetches(1), [{ reason: 'initial', kids: [oldKid] }]);

    // Rotate in the store, as "rotate now" in any process of the cluster would.
    const newKid = await env.services.keys.rotate(env.tenant, 'manual');
    assert.notEqual(newKid, oldKid);

    // The running authorization server learns of the new key when it meets a token that names it
    // (here one signed store-side for its issuer, as another process of a cluster would sign it).
    const sameIssuer = await env.contextFor(env.server.url);
    const crossProcess = (
      await issueTokens(sameIssuer, env.tenant, {
        client: env.client,
        userId: null,
        scopes: ['myservices'],
        withRefresh: false,
      })
    ).access_token;
    assert.equal(decodeProtectedHeader(crossProcess).kid, newKid);
    const intro = await fetch(`${env.server.url}/t/demo/oauth2/v1/introspect`, {
      method: 'POST',
      headers: {
        authorization: basic(app.clientId, app.clientSecret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form({ token: crossProcess }),
    });
    assert.equal(((await intro.json()) as { active: boolean }).active, true);

    // From now on the running server signs with the new key.
    const newToken = await clientCredentials(env.server.url, app, 'myservices');
    assert.equal(decodeProtectedHeader(newToken).kid, newKid);

    // The sample API has only the old key cached: the unknown kid makes it refetch, once.
    assert.equal(await status(newToken), 200);
    const fetches = await jwksFetches(2);
    assert.equal(fetches.length, 2);
    assert.equal(fetches[1].reason, 'unknown-kid');
    assert.deepEqual(new Set(fetches[1].kids), new Set([oldKid, newKid]));

    // Both generations keep working with no further fetch.
    assert.equal(await status(oldToken), 200);
    assert.equal(await status(crossProcess), 200);
    assert.equal(await status(newToken), 200);
    // A fetch for a request is logged before its answer: once a later request's line is read, any is.
    await rs.caughtUp();
    assert.equal(rs.logs('jwks fetched').length, 2, 'no third fetch');
  });
});
