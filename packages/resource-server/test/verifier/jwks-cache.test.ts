import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createVerifier, type VerifierEvent } from '../../src/verifier/verify.js';
import { AUDIENCE, FakeAuthorizationServer, manualClock, newKey } from '../helpers/fake-as.js';
import { until } from '../../../server/test/helpers/until.js';

describe('JWKS cache: keys fetched once, refetched on an unknown kid at most once per 30 s', () => {
  const as = new FakeAuthorizationServer();
  let tenant = 0;
  // Each test gets its own tenant, so counts and keys do not leak between tests.
  async function setup() {
    const slug = `t${++tenant}`;
    await as.addTenant(slug);
    const clock = manualClock();
    const events: VerifierEvent[] = [];
    let fetches = 0;
    const verifier = createVerifier({
      latchkeyUrl: as.url,
      audience: AUDIENCE,
      now: clock.now,
      onEvent: (e) => events.push(e),
      fetch: (input, init) => {
        if (String(input).endsWith('/oauth2/v1/keys')) fetches++;
        return fetch(input, init);
      },
    });
    return { slug, clock, events, verifier, jwksFetches: () => fetches };
  }

  before(() => as.start());
  after(() => as.stop());

  test('concurrent first requests share one metadata and one JWKS fetch; later ones fetch nothing', async () => {
    const { slug, verifier, jwksFetches } = await setup();
    const before = as.counters.metadata;
    const token = await as.mint(slug);
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify(token, { tenant: slug })));
    for (let i = 0; i < 20; i++) await verifier.verify(token, { tenant: slug });
    assert.equal(jwksFetches(), 1);
    assert.equal(as.counters.metadata, before + 1);
  });

  test('a key rotated right after start-up is picked up by exactly one refetch', async () => {
    const { slug, verifier, jwksFetches, events } = await setup();
    await verifier.verify(await as.mint(slug), { tenant: slug });
    const newKid = await as.rotate(slug);
    const rotated = await as.mint(slug);
    await verifier.verify(rotated, { tenant: slug });
    await verifier.verify(rotated, { tenant: slug });
    assert.equal(jwksFetches(), 2);
    const jwks = events.filter((e) => e.type === 'jwks');
    assert.deepEqual(
      jwks.map((e) => e.type === 'jwks' && e.reason),
      ['initial', 'unknown-kid'],
    );
    assert.ok(jwks[1].type === 'jwks' && jwks[1].kids!.includes(newKid));
  });

  test('forged kids cause no refetch storm: one refetch per 30 s however many arrive', async () => {
    const { slug, verifier, jwksFetches, clock } = await setup();
    await verifier.verify(await as.mint(slug), { tenant: slug });
    assert.equal(jwksFetches(), 1);
    const forged = await Promise.all(Array.from({ length: 50 }, async () => as.mint(slug, { key: await newKey() })));
    // A burst, all at once, then one by one.
    const results = await Promise.allSettled(forged.slice(0, 25).map((t) => verifier.verify(t, { tenant: slug })));
    for (const t of forged.slice(25))
      results.push(...(await Promise.allSettled([verifier.verify(t, { tenant: slug })])));
    assert.ok(
      results.every((r) => r.status === 'rejected' && (r.reason as { code: string }).code === 'ERR_TOKEN_UNKNOWN_KEY'),
    );
    assert.equal(jwksFetches(), 2, 'the first unknown kid refetched once; the other 49 did not');

    clock.advance(29);
    await assert.rejects(verifier.verify(forged[0], { tenant: slug }));
    assert.equal(jwksFetches(), 2);
    clock.advance(2);
    await assert.rejects(verifier.verify(forged[1], { tenant: slug }));
    await assert.rejects(verifier.verify(forged[2], { tenant: slug }));
    assert.equal(jwksFetches(), 3, 'after 30 s one more refetch is allowed');
  });

  test('a forged kid spends the refetch budget: a real rotation inside that window waits for it', async () => {
    const { slug, verifier, jwksFetches, clock } = await setup();
    await verifier.verify(await as.mint(slug), { tenant: slug });
    await assert.rejects(verifier.verify(await as.mint(slug, { key: await newKey() }), { tenant: slug }));
    await as.rotate(slug);
    const rotated = await as.mint(slug);
    await assert.rejects(verifier.verify(rotated, { tenant: slug }), { code: 'ERR_TOKEN_UNKNOWN_KEY' });
    assert.equal(jwksFetches(), 2);
    clock.advance(30);
    await verifier.verify(rotated, { tenant: slug });
    assert.equal(jwksFetches(), 3);
  });

  test('old keys are refreshed in the background after 10 minutes, without holding up requests', async () => {
    const { slug, verifier, jwksFetches, clock, events } = await setup();
    // Fresh tokens each time: a token verified once is remembered and needs no key lookup.
    const fresh = () => as.mint(slug, { ttl: 7200 });
    await verifier.verify(await fresh(), { tenant: slug });
    const jwks = () => events.flatMap((e) => (e.type === 'jwks' ? [`${e.reason}${e.error ? ' failed' : ''}`] : []));
    clock.advance(601);
    await verifier.verify(await fresh(), { tenant: slug });
    // The refresh runs after the answer; its event says it is over. (The fetch itself starts within
    // verify(): a count taken after it misses none.)
    await until('the background refresh', () => jwks().length === 2);
    assert.equal(jwksFetches(), 2);
    assert.deepEqual(jwks(), ['initial', 'max-age']);
    // A failing server during a refresh leaves the cached keys in service.
    clock.advance(601);
    as.failing = true;
    try {
      await verifier.verify(await fresh(), { tenant: slug });
      await until('the failed background refresh', () => jwks().length === 3);
      await verifier.verify(await fresh(), { tenant: slug });
    } finally {
      as.failing = false;
    }
    assert.equal(jwksFetches(), 3, 'a failed background refresh is not retried on every request');
    assert.deepEqual(jwks(), ['initial', 'max-age', 'max-age failed']);
  });

  test('private and symmetric keys in a key set are ignored', async () => {
    const { slug, verifier } = await setup();
    const t = as.tenants.get(slug)!;
    const k = t.keys[0];
    t.keys = [{ ...k, publicJwk: { kty: 'oct', k: 'c2VjcmV0', kid: k.kid, alg: 'HS256' } }];
    try {
      await assert.rejects(verifier.verify(await as.mint(slug, { key: k }), { tenant: slug }), {
        code: 'ERR_TOKEN_UNKNOWN_KEY',
      });
    } finally {
      t.keys = [k];
    }
  });
});
