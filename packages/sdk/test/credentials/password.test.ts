import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LatchkeyAuthError, LatchkeyTokenStoreError, type TokenStore } from '../../src/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, allRenderings, countingFetch, startSdkEnv, type SdkEnv } from '../helpers/env.js';
import { startUpstreamProvider } from '../../../server/test/helpers/oidc-upstream.js';

let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

/** A fetch that also remembers the refresh tokens the token endpoint hands out. */
function recordingFetch() {
  const counter = countingFetch();
  const refreshTokens: string[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await counter.fetch(input, init);
    if (String(input).endsWith('/oauth2/v1/token') && res.ok) {
      const body = (await res.clone().json()) as { refresh_token?: string };
      if (body.refresh_token) refreshTokens.push(body.refresh_token);
    }
    return res;
  };
  return { ...counter, fetch: fetchImpl, refreshTokens };
}

test('email + password signs in with the public latchkey-sdk client and calls the management API', async () => {
  const rec = recordingFetch();
  const bodies: string[] = [];
  const lk = env.client({
    credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    fetch: (input, init) => {
      if (String(input).endsWith('/token')) bodies.push(String(init?.body));
      return rec.fetch(input, init);
    },
  });
  const me = await lk.me();
  assert.equal(me.email, ADMIN_EMAIL);
  assert.equal(me.isDomainManager, true);
  const form = new URLSearchParams(bodies[0]);
  assert.equal(form.get('grant_type'), 'password');
  assert.equal(form.get('client_id'), 'latchkey-sdk');
  assert.equal(rec.tokenRequests(), 1);
  assert.match(rec.refreshTokens[0]!, /^lk_rt_/);
  await lk.me();
  assert.equal(rec.tokenRequests(), 1, 'the access token is cached');
});

test('shortly before expiry the rotating refresh token is used, not the password', async () => {
  const rec = recordingFetch();
  let skew = 0;
  const lk = env.client({
    credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    fetch: rec.fetch,
    now: () => Date.now() + skew,
  });
  const first = await lk.getAccessToken();
  skew = 3600_000 - 30_000; // 30 s before expiry: inside the 60 s margin
  const second = await lk.getAccessToken();
  assert.notEqual(second, first);
  skew += 3600_000 - 30_000;
  const third = await lk.getAccessToken();
  assert.notEqual(third, second);
  assert.equal(rec.tokenRequests('password'), 1);
  assert.equal(rec.tokenRequests('refresh_token'), 2);
  assert.equal(new Set(rec.refreshTokens).size, 3, 'each refresh rotated the refresh token');
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
});

test('when the refresh token dies the client signs in with the password again', async () => {
  const rec = recordingFetch();
  const lk = env.client({ credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, fetch: rec.fetch });
  await lk.getAccessToken();
  // Revoked behind the client's back (e.g. by an administrator).
  const r = await fetch(`${env.url}/t/demo/oauth2/v1/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: 'latchkey-sdk',
      token: rec.refreshTokens[0]!,
      token_type_hint: 'refresh_token',
    }),
  });
  assert.equal(r.status, 200);
  await lk.getAccessToken({ forceRefresh: true });
  assert.equal(rec.tokenRequests('refresh_token'), 1);
  assert.equal(rec.tokenRequests('password'), 2);
});

test('logout revokes the refresh token', async () => {
  const rec = recordingFetch();
  const lk = env.client({ credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, fetch: rec.fetch });
  await lk.getAccessToken();
  assert.equal(await lk.logout(), true);
  const r = await fetch(`${env.url}/t/demo/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'latchkey-sdk',
      refresh_token: rec.refreshTokens[0]!,
    }),
  });
  assert.equal(((await r.json()) as { error: string }).error, 'invalid_grant');
});

test('a wrong password is a LatchkeyAuthError that never shows the password', async () => {
  const password = 'my very secret wrong password';
  const lk = env.client({ credentials: { email: ADMIN_EMAIL, password } });
  const err = await lk.me().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyAuthError);
  assert.equal(err.error, 'invalid_grant');
  assert.equal(err.error_description, 'invalid username or password');
  assert.equal(err.status, 400);
  assert.match(err.message, new RegExp(`signing in as ${ADMIN_EMAIL} failed`));
  const text = (await allRenderings(err)) + (await allRenderings(lk));
  assert.ok(!text.includes(password));
  assert.ok(!text.includes(ADMIN_PASSWORD));
});

test('a domain that enforces SSO refuses the password grant with a reason', async (t) => {
  // Enforcement needs an identity provider: a real one on loopback.
  const upstream = await startUpstreamProvider({
    redirectUris: [`${env.url}/t/demo/login/sso/callback`],
    accounts: [],
  });
  t.after(() => upstream.close());
  const bearer = await env.admin.getAccessToken();
  const call = async (method: string, path: string, body: unknown) => {
    const res = await fetch(env.url + path, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, await res.text());
  };
  await call('POST', '/t/demo/api/v1/identity-providers', {
    name: 'Upstream',
    issuer: upstream.issuer,
    clientId: upstream.clientId,
    clientSecret: upstream.clientSecret,
    allowedEmailDomains: ['sdk.test'],
  });
  await call('POST', '/t/demo/api/v1/users', {
    email: 'sso-user@sdk.test',
    displayName: 'SSO user',
    password: ADMIN_PASSWORD,
  });
  // The bootstrap admin is named break-glass, so it can turn enforcement off again.
  await call('PATCH', '/platform/api/v1/tenants/demo', { breakGlassAccounts: [ADMIN_EMAIL] });
  await env.admin.settings.update({ ssoEnforced: true });
  t.after(() => env.admin.settings.update({ ssoEnforced: false }));
  const err = await env
    .client({ credentials: { email: 'sso-user@sdk.test', password: ADMIN_PASSWORD } })
    .getAccessToken()
    .catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyAuthError);
  assert.equal(err.error, 'invalid_grant');
  assert.match(err.error_description!, /single sign-on/);
});

test('the environment alone configures password sign-in', async () => {
  const lk = env.client({
    baseUrl: undefined,
    env: { LATCHKEY_URL: env.url, LATCHKEY_EMAIL: ADMIN_EMAIL, LATCHKEY_PASSWORD: ADMIN_PASSWORD },
  });
  assert.equal(lk.credentialKind, 'password');
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
  assert.ok(!(await allRenderings(lk)).includes(ADMIN_PASSWORD));
});

test('a refresh token you hold, with your own store: rotated and saved before use', async () => {
  const rec = recordingFetch();
  await env
    .client({ credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, fetch: rec.fetch })
    .getAccessToken();
  const saved: string[] = [];
  let current = rec.refreshTokens[0]!;
  const store: TokenStore = {
    description: 'vault',
    exclusive: (fn) => fn(),
    load: async () => ({ refreshToken: current }),
    save: async (tokens) => {
      current = tokens.refreshToken;
      saved.push(tokens.refreshToken);
    },
  };
  const lk = env.client({ credentials: { refreshToken: current, store } });
  assert.equal(lk.credentialKind, 'refresh_token');
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
  await lk.getAccessToken({ forceRefresh: true });
  assert.equal(saved.length, 2);
  assert.notEqual(saved[0], saved[1]);
  assert.ok(!(await allRenderings(lk)).includes(current));
});

test('when saving the rotated token fails, the error says so and the next call saves it and goes on', async () => {
  const rec = recordingFetch();
  await env
    .client({ credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, fetch: rec.fetch })
    .getAccessToken();
  let stored = { refreshToken: rec.refreshTokens[0]! } as { refreshToken: string; accessToken?: string };
  let failures = 1;
  const store: TokenStore = {
    description: 'flaky disk',
    exclusive: (fn) => fn(),
    load: async () => ({ ...stored }),
    save: async (tokens) => {
      if (failures-- > 0) throw new Error('ENOSPC: no space left on device');
      stored = { ...tokens };
    },
  };
  const counter = countingFetch();
  const lk = env.client({ credentials: { refreshToken: stored.refreshToken, store }, fetch: counter.fetch });
  const err = await lk.getAccessToken().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyTokenStoreError, String(err));
  assert.match(err.message, /rotated but could not be saved to the flaky disk \(ENOSPC/);
  assert.ok(!err.message.includes(rec.refreshTokens[0]!));
  // The process kept the new token: the retry saves it and uses its access token, without spending anything.
  const token = await lk.getAccessToken();
  assert.equal(stored.accessToken, token);
  assert.equal(counter.tokenRequests(), 1);
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
});
