import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LatchkeyApiError, LatchkeyAuthError, type Latchkey } from '../../src/index.js';
import { freePort } from '../../../server/test/helpers/process.js';
import { allRenderings, countingFetch, startSdkEnv, type SdkEnv } from '../helpers/env.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';

let env: SdkEnv;
let api: FakeApi;
before(async () => {
  env = await startSdkEnv();
  api = await startFakeApi(env.url);
});
after(async () => {
  await api?.close();
  await env?.close();
});

async function appClient(scopes: string[], fetchImpl?: typeof fetch): Promise<Latchkey> {
  const app = await env.createApp({ grantTypes: ['client_credentials'], scopes });
  return env.client({
    credentials: { clientId: app.clientId, clientSecret: app.clientSecret },
    apiUrl: api.url,
    fetch: fetchImpl,
  });
}

test('serviceEntitlements, instances and usage call {apiUrl}/t/{tenant}/…', async () => {
  const lk = await appClient(['myservices', 'metering']);
  const ent = await lk.sample.serviceEntitlements<{ tenant: string; path: string }>();
  assert.deepEqual([ent.tenant, ent.path], ['demo', 'myservices/api/v1/serviceEntitlements']);
  assert.equal((await lk.sample.instances<{ path: string }>()).path, 'myservices/api/v1/instances');
  const usage = await lk.sample.usage<{ path: string; query: Record<string, string> }>({
    from: '2025-01-01',
    limit: 5,
    skip: undefined,
  });
  assert.equal(usage.path, 'metering/api/v1/usage');
  assert.deepEqual(usage.query, { from: '2025-01-01', limit: '5' });
});

test('a 401 with ERR_TOKEN_EXPIRED refreshes once and retries; other 401s and 403s are typed errors', async () => {
  const counter = countingFetch();
  const lk = await appClient(['metering'], counter.fetch);
  const first = await lk.getAccessToken();
  api.expire(first);
  const usage = await lk.sample.usage<{ scope: string }>();
  assert.equal(usage.scope, 'metering');
  assert.equal(counter.tokenRequests(), 2);
  assert.notEqual(await lk.getAccessToken(), first);
  assert.equal(api.seen.filter((t) => t === first).length, 1, 'the expired token was sent once');

  const forbidden = await lk.sample.instances().catch((e: unknown) => e);
  assert.ok(forbidden instanceof LatchkeyApiError);
  assert.equal(forbidden.status, 403);
  assert.match(forbidden.detail!, /Insufficient scope/);
  assert.equal(forbidden.problemCode, 'ERR_INSUFFICIENT_SCOPE');

  // The SDK sets the Authorization header itself.
  const own = await lk.fetch(`${api.url}/t/demo/metering/api/v1/usage`, { headers: { authorization: 'Bearer x' } });
  assert.equal(own.status, 200);
});

test('a 401 for another reason than expiry is not retried', async () => {
  const counter = countingFetch();
  // Something between the SDK and the API mangles the token: the API answers "Invalid token".
  const mangling: typeof fetch = (input, init) => {
    if (!String(input).startsWith(api.url)) return counter.fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set('authorization', `${headers.get('authorization')}x`);
    return counter.fetch(input, { ...init, headers });
  };
  const lk = await appClient(['metering'], mangling);
  const err = await lk.sample.usage().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError);
  assert.equal(err.status, 401);
  assert.match(err.detail!, /^Invalid token/);
  assert.equal(err.problemCode, 'ERR_TOKEN_SIGNATURE');
  assert.equal(counter.tokenRequests(), 1);
  assert.equal(counter.calls.filter((c) => c.url.startsWith(api.url)).length, 1);
  assert.ok(!err.message.includes(await lk.getAccessToken()));
});

test('an unknown refresh token is an auth error that does not show it', async () => {
  const outsider = env.client({ credentials: { refreshToken: 'lk_rt_unknown' }, apiUrl: api.url });
  const err = await outsider.sample.usage().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyAuthError);
  assert.equal(err.error, 'invalid_grant');
  assert.ok(!(await allRenderings(err)).includes('lk_rt_unknown'));
});

test('request(url) with a path on another API, and typed errors for unknown paths', async () => {
  const lk = await appClient(['metering']);
  const body = await lk.request<{ path: string }>(`${api.url}/t/demo/metering/api/v1/usage`, { query: { page: 2 } });
  assert.equal(body.path, 'metering/api/v1/usage');
  const err = await lk.request(`${api.url}/t/demo/nope`).catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError);
  assert.equal(err.status, 404);
  assert.equal(err.detail, 'Not found');
});

test('an unreachable API is a network error', async () => {
  const lk = env.client({
    credentials: { email: 'x@y.z', password: 'irrelevant-pw' },
    baseUrl: `http://127.0.0.1:${await freePort()}`,
  });
  const err = await lk.getAccessToken().catch((e: unknown) => e);
  assert.equal((err as { code?: string }).code, 'ERR_LATCHKEY_NETWORK');
  assert.match(String((err as Error).message), /ECONNREFUSED/);
});
