import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';
import { runUntilExit, startResourceServer } from './helpers/resource-process.js';

describe('configuration of the sample API process', () => {
  test('defaults: port 8081, Latchkey at 127.0.0.1:8080, the sample audience, verification on', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8081);
    assert.equal(c.latchkeyUrl, 'http://127.0.0.1:8080');
    assert.equal(c.audience, 'urn:latchkey:sample-api');
    assert.equal(c.verify, true);
    assert.equal(c.clockToleranceSeconds, 30);
    assert.equal(c.introspection, undefined);
  });

  test('environment overrides, and introspection credentials per tenant', () => {
    const c = loadConfig({
      PORT: '9000',
      LATCHKEY_URL: 'https://login.example.com/',
      AUDIENCE: 'urn:x',
      CLOCK_TOLERANCE_SECONDS: '5',
      INTROSPECTION_CREDENTIALS: '{"demo":{"clientId":"a","clientSecret":"b"}}',
    });
    assert.equal(c.port, 9000);
    assert.equal(c.latchkeyUrl, 'https://login.example.com');
    assert.equal(c.audience, 'urn:x');
    assert.deepEqual(c.introspection, {
      credentials: { demo: { clientId: 'a', clientSecret: 'b' } },
      cacheSeconds: 10,
    });
  });

  test('LATCHKEY_ISSUERS: tenants by issuer, either form; alone it trusts only them, with LATCHKEY_URL both', () => {
    const only = loadConfig({ LATCHKEY_ISSUERS: '{"acme":"https://acme.id.example.com/"}' });
    assert.equal(only.latchkeyUrl, undefined);
    assert.deepEqual(only.issuers, { acme: ['https://acme.id.example.com'] });
    const both = loadConfig({
      LATCHKEY_URL: 'https://login.example.com',
      LATCHKEY_ISSUERS: '{"acme":["https://acme.id.example.com","https://login.example.com/t/acme"]}',
    });
    assert.equal(both.latchkeyUrl, 'https://login.example.com');
    assert.deepEqual(both.issuers, { acme: ['https://acme.id.example.com', 'https://login.example.com/t/acme'] });
    assert.equal(loadConfig({}).issuers, undefined);
    for (const [raw, message] of [
      ['{', /must be JSON/],
      ['["https://acme.id.example.com"]', /must be an object/],
      ['{"ACME":"https://acme.id.example.com"}', /"ACME" is not a tenant slug/],
      ['{"acme":"acme.id.example.com"}', /issuers\.acme: "acme\.id\.example\.com" is not an issuer/],
    ] as const) {
      assert.throws(
        () => loadConfig({ LATCHKEY_ISSUERS: raw }),
        (e: unknown) => e instanceof ConfigError && message.test(e.message) && e.message.startsWith('LATCHKEY_ISSUERS'),
        raw,
      );
    }
  });

  test('bad values are refused', () => {
    for (const env of [
      { PORT: 'x' },
      { LATCHKEY_URL: 'nope' },
      { VERIFY: 'maybe' },
      { INTROSPECTION_CREDENTIALS: '{' },
      { INTROSPECTION_CREDENTIALS: '{"demo":{"clientId":"a"}}' },
      { CLOCK_TOLERANCE_SECONDS: '9999' },
      { VERIFY: 'off', NODE_ENV: 'production' },
    ]) {
      assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    }
  });

  test('VERIFY=off is refused by the process when NODE_ENV=production', async () => {
    const { code, output } = await runUntilExit({ VERIFY: 'off', NODE_ENV: 'production' });
    assert.equal(code, 1);
    assert.match(output, /VERIFY=off is refused when NODE_ENV=production/);
  });

  test('VERIFY=off elsewhere: a loud warning, and requests are served without a token', async () => {
    const rs = await startResourceServer({ VERIFY: 'off', LATCHKEY_URL: 'http://127.0.0.1:9' });
    try {
      assert.match(rs.output(), /VERIFY=off: access tokens are NOT verified/);
      assert.equal(rs.logs('UNSAFE: token verification is OFF').length, 1);
      const r = await fetch(`${rs.url}/t/demo/myservices/api/v1/serviceEntitlements`);
      assert.equal(r.status, 200);
      assert.deepEqual(await (await fetch(`${rs.url}/healthz`)).json(), { status: 'ok', verify: false });
    } finally {
      await rs.stop();
    }
  });
});
