import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LatchkeyApiError, LatchkeyAuthError, type CreatedPersonalClient } from '../../src/index.js';
import { ADMIN_EMAIL, allRenderings, countingFetch, startSdkEnv, type SdkEnv } from '../helpers/env.js';

let env: SdkEnv;
let personal: CreatedPersonalClient;
before(async () => {
  env = await startSdkEnv();
  personal = await env.admin.clients.create({ name: 'sdk tests', expiresAt: new Date(Date.now() + 7 * 86_400_000) });
});
after(async () => {
  await env?.close();
});

test('a personal client authenticates with HTTP Basic and acts as its owner', async () => {
  const seen: { auth: string | null; body: string }[] = [];
  const counter = countingFetch();
  const lk = env.client({
    credentials: { clientId: personal.clientId, clientSecret: personal.clientSecret },
    fetch: (input, init) => {
      if (String(input).endsWith('/token'))
        seen.push({ auth: new Headers(init?.headers).get('authorization'), body: String(init?.body) });
      return counter.fetch(input, init);
    },
  });
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
  assert.equal(seen.length, 1);
  const expected = 'Basic ' + Buffer.from(`${personal.clientId}:${personal.clientSecret}`).toString('base64');
  assert.equal(seen[0]!.auth, expected);
  assert.equal(new URLSearchParams(seen[0]!.body).get('grant_type'), 'client_credentials');
  assert.ok(!seen[0]!.body.includes(personal.clientSecret), 'the secret is not in the body');
  await Promise.all([lk.me(), lk.clients.list(), lk.me()]);
  assert.equal(counter.tokenRequests(), 1);
});

test('a personal client configured by LATCHKEY_CLIENT_ID and LATCHKEY_CLIENT_SECRET', async () => {
  const lk = env.client({
    baseUrl: undefined,
    env: {
      LATCHKEY_URL: env.url,
      LATCHKEY_CLIENT_ID: personal.clientId,
      LATCHKEY_CLIENT_SECRET: personal.clientSecret,
    },
  });
  assert.equal(lk.credentialKind, 'client_credentials');
  assert.equal((await lk.me()).email, ADMIN_EMAIL);
  assert.ok(!(await allRenderings(lk)).includes(personal.clientSecret));
});

test('a wrong secret: invalid_client, status 401, no secret anywhere', async () => {
  const wrong = personal.clientSecret.slice(0, -4) + 'AAAA';
  const lk = env.client({ credentials: { clientId: personal.clientId, clientSecret: wrong } });
  const err = await lk.me().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyAuthError);
  assert.equal(err.error, 'invalid_client');
  assert.equal(err.status, 401);
  const text = (await allRenderings(err)) + (await allRenderings(lk));
  assert.ok(!text.includes(wrong) && !text.includes(personal.clientSecret));
});

test("an application's token is refused by the management API with a typed problem", async () => {
  const app = await env.createApp({ grantTypes: ['client_credentials'] });
  const lk = env.client({ credentials: { clientId: app.clientId, clientSecret: app.clientSecret } });
  const err = await lk.me().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError);
  assert.equal(err.status, 403);
  assert.equal(err.title, 'Forbidden');
  assert.equal(err.problemCode, 'not_a_user');
  assert.match(err.detail!, /needs a user's token/);
});

test("a revoked client: the API's 401 says client_revoked and the SDK sends no refresh request", async () => {
  const doomed = await env.admin.clients.create({ name: 'doomed', expiresAt: new Date(Date.now() + 86_400_000) });
  const counter = countingFetch();
  const lk = env.client({
    credentials: { clientId: doomed.clientId, clientSecret: doomed.clientSecret },
    fetch: counter.fetch,
  });
  await lk.me();
  assert.equal(counter.tokenRequests(), 1);
  await env.admin.clients.delete(doomed.id);
  // No new token can mend a revoked client: the code says so, and the SDK gives up at once.
  const err = await lk.me().catch((e: unknown) => e);
  assert.ok(err instanceof LatchkeyApiError, String(err));
  assert.equal(err.status, 401);
  assert.equal(err.problemCode, 'client_revoked');
  assert.equal(counter.tokenRequests(), 1);
});
