import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, basic, type TestServer } from '../helpers/harness.js';
import { makeApp, demo, token, clientCredentials } from '../helpers/oauth.js';
import { parsePrometheus, sampleValue, samples } from '../helpers/prometheus.js';
import { generateAppTokens } from '../../src/domain/tokens/app-tokens.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { Metrics } from '../../src/metrics.js';
import { sql } from 'kysely';

const TOKEN_ROUTE = '/t/:tenant/oauth2/v1/token';

async function scrape(s: TestServer, headers: Record<string, string> = {}) {
  const r = await s.app.inject({ method: 'GET', url: '/metrics', headers });
  assert.equal(r.statusCode, 200, r.body.slice(0, 300));
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(r.body);
}

for (const backend of await backends()) {
  test(`GET /metrics counts requests, tokens, refusals, reuse and cache reads with bounded labels (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const app = await makeApp(s);
    const tenant = await demo(s);
    const auth = { authorization: basic(app.clientId, app.clientSecret) };

    await t.test('tokens issued and refused, by grant and error code; requests by route pattern', async () => {
      assert.equal((await clientCredentials(s, app.clientId, app.clientSecret)).statusCode, 200);
      assert.equal((await clientCredentials(s, app.clientId, app.clientSecret)).statusCode, 200);
      const refused = await clientCredentials(s, app.clientId, 'lk_cs_wrong');
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().error, 'invalid_client');
      const badScope = await clientCredentials(s, app.clientId, app.clientSecret, 'nope');
      assert.equal(badScope.json().error, 'invalid_scope');
      assert.equal((await token(s, { grant_type: 'made_up' }, auth)).json().error, 'unsupported_grant_type');

      const m = await scrape(s);
      assert.equal(sampleValue(m, 'latchkey_tokens_issued_total', { grant: 'client_credentials' }), 2);
      assert.equal(
        sampleValue(m, 'latchkey_token_refusals_total', { grant: 'client_credentials', error: 'invalid_client' }),
        1,
      );
      assert.equal(
        sampleValue(m, 'latchkey_token_refusals_total', { grant: 'client_credentials', error: 'invalid_scope' }),
        1,
      );
      // A grant type nobody registered is `other`: the label cannot grow with what clients send.
      assert.equal(
        sampleValue(m, 'latchkey_token_refusals_total', { grant: 'other', error: 'unsupported_grant_type' }),
        1,
      );
      assert.equal(
        sampleValue(m, 'latchkey_http_requests_total', {
          route: TOKEN_ROUTE,
          method: 'POST',
          status: '200',
          grant: 'client_credentials',
        }),
        2,
      );
      assert.equal(
        sampleValue(m, 'latchkey_http_requests_total', {
          route: TOKEN_ROUTE,
          method: 'POST',
          status: '401',
          grant: 'client_credentials',
        }),
        1,
      );
      assert.equal(
        sampleValue(m, 'latchkey_http_request_duration_seconds_count', {
          route: TOKEN_ROUTE,
          method: 'POST',
          grant: 'client_credentials',
        }),
        4,
      );
      // Buckets are cumulative, +Inf holds every request, and the sum is their total time.
      const labels = { route: TOKEN_ROUTE, method: 'POST', grant: 'client_credentials' };
      const buckets = samples(m, 'latchkey_http_request_duration_seconds_bucket').filter(
        (x) => x.labels.route === TOKEN_ROUTE && x.labels.grant === 'client_credentials',
      );
      assert.deepEqual(
        buckets.map((b) => b.labels.le),
        ['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'],
      );
      for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);
      assert.equal(buckets.at(-1)!.value, 4);
      const sum = sampleValue(m, 'latchkey_http_request_duration_seconds_sum', labels)!;
      assert.ok(sum > 0 && sum < 60, `sum ${sum}`);
      // No label carries a tenant, a client id or a raw URL.
      for (const sample of m) {
        for (const v of Object.values(sample.labels)) {
          assert.ok(
            !v.includes('demo') && !v.includes(app.clientId),
            `${sample.name} ${JSON.stringify(sample.labels)}`,
          );
        }
      }
    });

    await t.test('a refresh-token reuse is counted once, and its refusal as invalid_grant', async () => {
      const doc = await generateAppTokens(
        s.services,
        tenant,
        app.id,
        { scopes: ['metering'], includeRefreshToken: true },
        SYSTEM,
      );
      const rt1 = (await token(s, { grant_type: 'refresh_token', refresh_token: doc.refresh_token! }, auth)).json()
        .refresh_token;
      assert.equal((await token(s, { grant_type: 'refresh_token', refresh_token: rt1 }, auth)).statusCode, 200);
      const replay = await token(s, { grant_type: 'refresh_token', refresh_token: doc.refresh_token! }, auth);
      assert.equal(replay.json().error, 'invalid_grant');
      const m = await scrape(s);
      assert.equal(sampleValue(m, 'latchkey_refresh_token_reuse_detected_total'), 1);
      assert.equal(sampleValue(m, 'latchkey_tokens_issued_total', { grant: 'refresh_token' }), 2);
      assert.equal(
        sampleValue(m, 'latchkey_token_refusals_total', { grant: 'refresh_token', error: 'invalid_grant' }),
        1,
      );
      // The reuse ended a grant: announced, and delivered here as a local change.
      assert.ok(sampleValue(m, 'latchkey_changes_received_total', { type: 'grant.ended', source: 'local' }) >= 1);
    });

    await t.test('cache reads: hits and misses per cache', async () => {
      const before = sampleValue(await scrape(s), 'latchkey_cache_reads_total', { cache: 'tenants', result: 'hit' });
      assert.equal((await clientCredentials(s, app.clientId, app.clientSecret)).statusCode, 200);
      const m = await scrape(s);
      assert.ok(sampleValue(m, 'latchkey_cache_reads_total', { cache: 'tenants', result: 'hit' }) > before);
      assert.ok(sampleValue(m, 'latchkey_cache_reads_total', { cache: 'tenants', result: 'miss' }) >= 1);
      assert.ok(sampleValue(m, 'latchkey_cache_entries', { cache: 'clients' }) >= 1);
    });

    await t.test('unmatched URLs share one series', async () => {
      for (const u of ['/nope/1', '/nope/2', '/t/demo/zzz'])
        assert.equal((await s.app.inject({ method: 'GET', url: u })).statusCode, 404);
      const m = await scrape(s);
      assert.equal(sampleValue(m, 'latchkey_http_requests_total', { route: 'unmatched', status: '404' }), 3);
      assert.equal(samples(m, 'latchkey_http_requests_total').filter((x) => x.labels.route.includes('nope')).length, 0);
    });
  });
}

test('METRICS_TOKEN: /metrics needs the bearer token', async (t) => {
  const s = await createTestServer('sqlite', { METRICS_TOKEN: 'scrape-me-please' });
  t.after(() => s.close());
  for (const authorization of [undefined, 'Bearer wrong', 'Basic c2NyYXBlLW1lLXBsZWFzZQ==']) {
    const r = await s.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    assert.equal(r.statusCode, 401);
    assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.match(String(r.headers['www-authenticate']), /^Bearer /);
    assert.doesNotMatch(r.body, /latchkey_/);
  }
  const m = await scrape(s, { authorization: 'Bearer scrape-me-please' });
  assert.ok(samples(m, 'latchkey_http_requests_total').length > 0);
});

test("the OAuth error handler is the OAuth plugin's own: RFC 6749 there, problem+json elsewhere", async (t) => {
  const s = await createTestServer('sqlite');
  t.after(() => s.close());
  // The same kind of failure on both sides: malformed JSON, an unknown tenant.
  const oauth = await s.app.inject({
    method: 'POST',
    url: '/t/demo/oauth2/v1/token',
    headers: { 'content-type': 'application/json' },
    payload: '{nope',
  });
  assert.equal(oauth.statusCode, 400);
  assert.equal(oauth.json().error, 'invalid_request');
  assert.equal(oauth.headers['cache-control'], 'no-store');
  const api = await s.app.inject({
    method: 'POST',
    url: '/t/demo/api/v1/session',
    headers: { 'content-type': 'application/json' },
    payload: '{nope',
  });
  assert.equal(api.statusCode, 400);
  assert.equal(api.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(api.json().status, 400);
  const unknownOAuth = await token(s, { grant_type: 'client_credentials' }, {}, 'no-such-tenant');
  assert.equal(unknownOAuth.statusCode, 404);
  assert.deepEqual(Object.keys(unknownOAuth.json()).sort(), ['error', 'error_description']);
  assert.equal(unknownOAuth.json().error, 'invalid_request');
  const unknownApi = await s.app.inject({ method: 'GET', url: '/t/no-such-tenant/api/v1/users' });
  assert.equal(unknownApi.statusCode, 404);
  assert.equal(unknownApi.headers['content-type'], 'application/problem+json; charset=utf-8');
  // A validation error on a management route stays a problem document.
  const invalid = await s.app.inject({ method: 'POST', url: '/t/demo/api/v1/session', payload: { email: 42 } });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.headers['content-type'], 'application/problem+json; charset=utf-8');
});

test("process metrics: prom-client's defaults without the GC-duration observer", async () => {
  const metrics = new Metrics({});
  metrics.collectProcessMetrics();
  const m = parsePrometheus(await metrics.registry.metrics());
  const names = new Set(m.map((s) => s.name));
  for (const name of [
    'latchkey_process_cpu_user_seconds_total',
    'latchkey_process_resident_memory_bytes',
    'latchkey_process_start_time_seconds',
    'latchkey_process_open_fds',
    'latchkey_nodejs_eventloop_lag_p99_seconds',
    'latchkey_nodejs_heap_size_used_bytes',
    'latchkey_nodejs_heap_space_size_used_bytes',
    'latchkey_nodejs_active_handles_total',
    'latchkey_nodejs_version_info',
  ]) {
    assert.ok(names.has(name), `${name} is missing`);
  }
  assert.ok(sampleValue(m, 'latchkey_process_resident_memory_bytes')! > 0);
  // Observing every collection cost the token endpoint several µs per request (metrics.ts).
  assert.ok(![...names].some((n) => n.includes('gc_duration')), [...names].filter((n) => n.includes('gc')).join(', '));
});

// On PostgreSQL the same is tested with the database refusing connections (store/pg-connections.test.ts).
test('GET /metrics counts usage flushes that failed, and the kept uses are written by the next flush (sqlite)', async (t) => {
  const s = await createTestServer('sqlite');
  t.after(() => s.close());
  const app = await makeApp(s, { name: 'used while writes are refused' });
  const lastUsed = async () =>
    (
      await s.store.db
        .selectFrom('clients')
        .select('last_used_address')
        .where('id', '=', app.id)
        .executeTakeFirstOrThrow()
    ).last_used_address;
  assert.equal(sampleValue(await scrape(s), 'latchkey_usage_flush_failures_total'), 0);
  // The database refuses every write of this connection (SQLITE_READONLY), as a full or read-only disk would.
  await sql`pragma query_only = on`.execute(s.store.db);
  s.services.usage.touch(app.client, { address: '192.0.2.9' });
  await s.services.usage.flush();
  await s.services.usage.flush();
  await sql`pragma query_only = off`.execute(s.store.db);
  assert.equal(sampleValue(await scrape(s), 'latchkey_usage_flush_failures_total'), 2);
  assert.equal(await lastUsed(), null);
  await s.services.usage.flush();
  assert.equal(await lastUsed(), '192.0.2.9');
  assert.equal(
    sampleValue(await scrape(s), 'latchkey_usage_flush_failures_total'),
    2,
    'a flush that succeeds is not counted',
  );
});
