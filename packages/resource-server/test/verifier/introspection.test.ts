import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier } from '../../src/verifier/verify.js';
import type { IntrospectionOptions } from '../../src/verifier/introspection.js';
import { AUDIENCE, FakeAuthorizationServer, jtiOf, manualClock, newKey } from '../helpers/fake-as.js';

describe('introspection mode (RFC 7662): revocations seen at once, short positive cache only', () => {
  const as = new FakeAuthorizationServer();
  const credentials = { demo: { clientId: 'lk_app_api', clientSecret: 'lk_cs_s3cr:t/+=' } };
  const setup = (o: Partial<IntrospectionOptions> = {}) => {
    const clock = manualClock();
    const verifier = createVerifier({
      latchkeyUrl: as.url,
      audience: AUDIENCE,
      now: clock.now,
      introspection: { credentials, ...o },
    });
    return { clock, verifier };
  };

  before(async () => {
    await as.start();
    await as.addTenant('demo');
    await as.addTenant('acme');
    as.introspectionClients.add('lk_app_api:lk_cs_s3cr:t/+=');
  });
  after(() => as.stop());

  test('an active answer is reused for 10 s, then asked again', async () => {
    const { clock, verifier } = setup();
    const token = await as.mint('demo');
    const before = as.counters.introspect;
    await verifier.verify(token, { tenant: 'demo' });
    await verifier.verify(token, { tenant: 'demo' });
    assert.equal(as.counters.introspect, before + 1);
    clock.advance(9);
    await verifier.verify(token, { tenant: 'demo' });
    assert.equal(as.counters.introspect, before + 1);
    clock.advance(2);
    await verifier.verify(token, { tenant: 'demo' });
    assert.equal(as.counters.introspect, before + 2);
  });

  test('a revoked token is refused on its first use; inactive answers are never cached', async () => {
    const { verifier } = setup();
    const token = await as.mint('demo');
    as.tenants.get('demo')!.revoked.add(jtiOf(token));
    const before = as.counters.introspect;
    for (let i = 0; i < 3; i++) {
      await assert.rejects(verifier.verify(token, { tenant: 'demo' }), (err: unknown) => {
        assert.equal((err as { code: string }).code, 'ERR_TOKEN_INACTIVE');
        assert.equal((err as { status: number }).status, 401);
        return true;
      });
    }
    assert.equal(as.counters.introspect, before + 3);
  });

  test('with cacheSeconds 0 a revocation is seen on the very next request', async () => {
    const { verifier } = setup({ cacheSeconds: 0 });
    const token = await as.mint('demo');
    await verifier.verify(token, { tenant: 'demo' });
    as.tenants.get('demo')!.revoked.add(jtiOf(token));
    await assert.rejects(verifier.verify(token, { tenant: 'demo' }), { code: 'ERR_TOKEN_INACTIVE' });
  });

  test('the cache never outlives the token', async () => {
    const { clock, verifier } = setup({ cacheSeconds: 60 });
    const token = await as.mint('demo', { ttl: 5 });
    await verifier.verify(token, { tenant: 'demo' });
    clock.advance(40);
    await assert.rejects(verifier.verify(token, { tenant: 'demo' }), { code: 'ERR_TOKEN_EXPIRED' });
  });

  test('concurrent requests with one token make one call', async () => {
    const { verifier } = setup();
    const token = await as.mint('demo');
    const before = as.counters.introspect;
    await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token, { tenant: 'demo' })));
    assert.equal(as.counters.introspect, before + 1);
  });

  test('the API authenticates with HTTP Basic, id and secret form-encoded first (RFC 6749 §2.3.1)', async () => {
    const { verifier } = setup();
    await verifier.verify(await as.mint('demo'), { tenant: 'demo' });
    const expected = 'Basic ' + Buffer.from('lk_app_api:lk_cs_s3cr%3At%2F%2B%3D').toString('base64');
    assert.equal(as.lastIntrospectionAuth, expected);
  });

  test('tokens that fail offline checks never reach the introspection endpoint', async () => {
    const { verifier } = setup();
    const before = as.counters.introspect;
    await assert.rejects(verifier.verify(await as.mint('demo', { key: await newKey() }), { tenant: 'demo' }));
    await assert.rejects(verifier.verify(await as.mint('demo', { ttl: -120 }), { tenant: 'demo' }));
    await assert.rejects(verifier.verify(await as.mint('acme'), { tenant: 'demo' }));
    assert.equal(as.counters.introspect, before);
  });

  test('fails closed: no credentials for the tenant, or refused credentials, are 503', async () => {
    const { verifier } = setup();
    await assert.rejects(verifier.verify(await as.mint('acme'), { tenant: 'acme' }), {
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      status: 503,
    });
    const wrong = createVerifier({
      latchkeyUrl: as.url,
      audience: AUDIENCE,
      introspection: { credentials: () => ({ clientId: 'lk_app_api', clientSecret: 'wrong' }) },
    });
    await assert.rejects(wrong.verify(await as.mint('demo'), { tenant: 'demo' }), {
      code: 'ERR_AUTHORIZATION_SERVER_UNAVAILABLE',
      status: 503,
    });
  });
});
