import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  LatchkeyApiError,
  LatchkeyAuthError,
  LatchkeyConfigError,
  LatchkeyError,
  LatchkeyNetworkError,
  LatchkeyTokenStoreError,
} from '../src/index.js';
import { SecretSet } from '../src/lib/redact.js';

const RT = 'lk_rt_Q2hhbmdlIG1lIQ_6x3zS8vS1k9w2mQhUOLm4n0pQ';
const CS = 'lk_cs_k1FyKKYYqUbayoA6IIWjDU7_2yW1wZYLRlTak7Fy_qM';
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
// A console session secret (the lk_session cookie), e.g. pasted into an error by a proxy.
const SS = 'lk_ss_Zm9yZ2V0IG1lIG5vdA_8kP2qLm5nR7sT1uV3wX9yZ0aB';

test('every error has a stable code, a name, and the LatchkeyError base', () => {
  const cases: [LatchkeyError, string, string][] = [
    [new LatchkeyConfigError('x'), 'ERR_LATCHKEY_CONFIG', 'LatchkeyConfigError'],
    [new LatchkeyAuthError({ error: 'invalid_grant', status: 400 }), 'ERR_LATCHKEY_AUTH', 'LatchkeyAuthError'],
    [
      new LatchkeyApiError({ status: 404, title: 'Not Found', method: 'GET', url: 'http://x/y' }),
      'ERR_LATCHKEY_API',
      'LatchkeyApiError',
    ],
    [new LatchkeyNetworkError('down'), 'ERR_LATCHKEY_NETWORK', 'LatchkeyNetworkError'],
    [new LatchkeyTokenStoreError('disk full'), 'ERR_LATCHKEY_TOKEN_STORE', 'LatchkeyTokenStoreError'],
  ];
  for (const [err, code, name] of cases) {
    assert.ok(err instanceof LatchkeyError && err instanceof Error);
    assert.equal(err.code, code);
    assert.equal(err.name, name);
    assert.equal((err.constructor as unknown as { code: string }).code, code);
    assert.equal((JSON.parse(JSON.stringify(err)) as { code: string }).code, code);
  }
});

test('auth errors carry the OAuth error and description; API errors the problem fields', () => {
  const auth = new LatchkeyAuthError({
    error: 'invalid_grant',
    errorDescription: 'refresh token is invalid',
    status: 400,
    context: 'refreshing failed',
  });
  assert.equal(auth.error, 'invalid_grant');
  assert.equal(auth.error_description, 'refresh token is invalid');
  assert.equal(auth.message, 'refreshing failed: invalid_grant (refresh token is invalid)');
  const api = new LatchkeyApiError({
    status: 403,
    title: 'Forbidden',
    detail: 'only domain managers may do this',
    type: 'https://latchkey.dev/problems/forbidden',
    problemCode: 'forbidden',
    method: 'GET',
    url: 'http://x/t/demo/api/v1/users',
  });
  assert.deepEqual(
    [api.status, api.title, api.detail, api.problemCode],
    [403, 'Forbidden', 'only domain managers may do this', 'forbidden'],
  );
  assert.match(api.message, /^GET http:\/\/x\/t\/demo\/api\/v1\/users failed: 403 Forbidden: only domain managers/);
});

test('secret-shaped text never survives into a message, toString, JSON or inspect', () => {
  const errors = [
    new LatchkeyAuthError({ error: 'invalid_grant', errorDescription: `token ${RT} was reused`, status: 400 }),
    new LatchkeyApiError({
      status: 401,
      title: 'Unauthorized',
      detail: `bad token ${JWT}`,
      method: 'GET',
      url: 'http://x',
    }),
    new LatchkeyConfigError(`secret ${CS} is wrong`),
    new LatchkeyApiError({
      status: 400,
      title: 'Bad Request',
      detail: `cookie lk_session=${SS} echoed`,
      method: 'GET',
      url: 'http://x',
    }),
  ];
  for (const err of errors) {
    const text = [err.message, String(err), JSON.stringify(err), inspect(err), err.stack].join('\n');
    for (const secret of [RT, CS, JWT, SS]) assert.ok(!text.includes(secret), `${err.name} leaks a secret: ${text}`);
    assert.match(text, /\[REDACTED\]/);
  }
});

test('a SecretSet scrubs exact values (passwords have no shape) and shapes', () => {
  const s = new SecretSet();
  s.pin('hunter2-but-longer', undefined, 'short');
  for (let i = 0; i < 100; i++) s.add(`received-token-${i}`);
  assert.equal(s.redact('the password hunter2-but-longer and short'), 'the password [REDACTED] and short');
  assert.equal(
    s.redact('received-token-99 received-token-0'),
    '[REDACTED] received-token-0',
    'old received tokens are forgotten, configured secrets never',
  );
  assert.equal(s.redact(`rt ${RT}`), 'rt [REDACTED]');
  assert.equal(JSON.stringify({ s }), '{"s":"[REDACTED]"}');
});
