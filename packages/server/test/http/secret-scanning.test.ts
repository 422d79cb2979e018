import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { backends, createTestServer, form, basic, ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { makeApp, demo, clientCredentials } from '../helpers/oauth.js';
import { generateAppTokens } from '../../src/domain/tokens/app-tokens.js';
import { GitHubKeyCache } from '../../src/domain/secret-scanning/github-keys.js';
import { MAX_TOKENS } from '../../src/http/routes/secret-scanning.js';
import { GITLAB_TOKEN_THROTTLE } from '../../src/domain/throttle/policies.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/app.js';

const SYSTEM = { type: 'system' as const, id: null };
const GITLAB_TOKEN = 'gitlab-shared-revocation-token-0123456789';

/** A local stand-in for GitHub's key endpoint: ECDSA P-256 keys, counting how often it is asked. */
async function keyServer() {
  const keys: { id: string; privateKey: KeyObject; pem: string }[] = [];
  const add = (id: string) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const k = { id, privateKey, pem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
    keys.push(k);
    return k;
  };
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        public_keys: keys.map((k, i) => ({ key_identifier: k.id, key: k.pem, is_current: i === keys.length - 1 })),
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/meta/public_keys/secret_scanning`;
  return { url, add, hits: () => hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('GitHub key cache: an unknown identifier refreshes, at most once per interval', async (t) => {
  const ks = await keyServer();
  t.after(() => ks.close());
  const a = ks.add('key-a');
  let now = 1_000_000;
  const cache = new GitHubKeyCache(ks.url, 60_000, undefined, () => now);
  assert.ok(await cache.key(a.id));
  assert.equal(ks.hits(), 1);
  assert.ok(await cache.key(a.id));
  assert.equal(ks.hits(), 1, 'a known key is served from the cache');
  // Random identifiers within the interval: no fetch at all.
  for (let i = 0; i < 20; i++) assert.equal(await cache.key(`random-${i}`), undefined);
  assert.equal(ks.hits(), 1);
  // A rotated-in key is found once the interval is over; concurrent lookups share one fetch.
  const b = ks.add('key-b');
  now += 60_000;
  const [x, y] = await Promise.all([cache.key(b.id), cache.key(b.id)]);
  assert.ok(x && y);
  assert.equal(ks.hits(), 2);
});

test('GitHub key cache: an unreachable key URL is an error (not an unknown key), retried once per interval', async () => {
  let fetches = 0;
  let now = 0;
  const cache = new GitHubKeyCache(
    'http://unused',
    60_000,
    async () => {
      fetches++;
      throw new Error('connection refused');
    },
    () => now,
  );
  await assert.rejects(cache.key('k'), /connection refused/);
  await assert.rejects(cache.key('k'), /connection refused/);
  assert.equal(fetches, 1);
  now += 60_000;
  await assert.rejects(cache.key('k'), /connection refused/);
  assert.equal(fetches, 2);
});

for (const backend of await backends()) {
  test(`secret-scanning reports (${backend})`, async (t) => {
    const ks = await keyServer();
    const key = ks.add('test-key-1');
    const s = await createTestServer(backend, {
      GITHUB_SECRET_SCANNING_KEYS_URL: ks.url,
      GITHUB_SECRET_SCANNING_KEYS_MIN_REFRESH_SECONDS: '0',
      GITLAB_REVOCATION_TOKEN: GITLAB_TOKEN,
    });
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}/secret-scanning/v1`;
    t.after(async () => {
      await s.close();
      await ks.close();
    });
    const tenant = await demo(s);

    const signed = (body: string, k = key) => sign('sha256', Buffer.from(body), k.privateKey).toString('base64');
    const github = (
      body: string,
      headers: Record<string, string> = {
        'github-public-key-identifier': key.id,
        'github-public-key-signature': signed(body),
      },
    ) => fetch(`${base}/github`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const report = (...tokens: string[]) =>
      JSON.stringify(
        tokens.map((token, i) => ({
          token,
          type: 'latchkey_secret',
          url: `https://github.com/octo/leak/blob/abc/file${i}.txt`,
          source: 'content',
        })),
      );
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const auditOf = async (targetId: string) =>
      (await s.store.audit.list(tenant.id, { targetId }, 50)).map((e) => e.action);
    const personalClient = async (name: string) => {
      const pw = await s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({
          grant_type: 'password',
          client_id: 'latchkey-sdk',
          username: ADMIN_EMAIL,
          password: ADMIN_PASSWORD,
        }),
      });
      const r = await s.app.inject({
        method: 'POST',
        url: '/t/demo/api/v1/me/oauth2-clients',
        headers: { authorization: `Bearer ${pw.json().access_token}` },
        payload: { name, expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json() as { id: string; clientId: string; clientSecret: string };
    };
    const refresh = (clientId: string, secret: string, rt: string) =>
      s.app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(clientId, secret) },
        payload: form({ grant_type: 'refresh_token', refresh_token: rt }),
      });

    await t.test(
      'a signed report revokes a personal client at once, audited with the URL; the answer gives labels only',
      async () => {
        const pc = await personalClient('leaky script');
        assert.equal((await clientCredentials(s, pc.clientId, pc.clientSecret)).statusCode, 200);
        const lookAlike = 'lk_cs_' + 'A'.repeat(43) + 'AAAAAA'; // our shape, wrong checksum
        const body = report(pc.clientSecret, lookAlike, 'ghp_not_ours');
        const res = await github(body);
        assert.equal(res.status, 200);
        const text = await res.text();
        assert.ok(!text.includes(pc.clientSecret), 'the answer never repeats a token');
        assert.deepEqual(JSON.parse(text), [
          { token_hash: sha(pc.clientSecret), token_type: 'latchkey_secret', label: 'true_positive' },
          { token_hash: sha(lookAlike), token_type: 'latchkey_secret', label: 'false_positive' },
          { token_hash: sha('ghp_not_ours'), token_type: 'latchkey_secret', label: 'false_positive' },
        ]);
        const stored = (await s.store.clients.byId(tenant.id, pc.id))!;
        assert.equal(stored.status, 'revoked');
        assert.equal(stored.revokedBy, 'policy:reported_leaked');
        assert.equal((await clientCredentials(s, pc.clientId, pc.clientSecret)).json().error, 'invalid_client');
        const events = await s.store.audit.list(tenant.id, { targetId: pc.id }, 10);
        assert.deepEqual(
          events
            .map((e) => e.action)
            .slice(0, 2)
            .sort(),
          ['personal_client.reported_leaked', 'personal_client.revoked'],
        );
        const leaked = events.find((e) => e.action === 'personal_client.reported_leaked')!;
        assert.equal(leaked.actorType, 'system');
        assert.deepEqual(
          { url: leaked.details.url, source: leaked.details.source, reporter: leaked.details.reporter },
          { url: 'https://github.com/octo/leak/blob/abc/file0.txt', source: 'content', reporter: 'github' },
        );
        assert.ok(!JSON.stringify(events).includes(pc.clientSecret));

        // The same body again is a replay: refused, and nothing more happens.
        const again = await github(body);
        assert.equal(again.status, 409);
        assert.match((await again.json()).detail, /replay/);
        assert.equal((await auditOf(pc.id)).length, events.length);
        // Reported again in a new report: already dead, a false positive, nothing changed.
        const later = await (await github(report(pc.clientSecret))).json();
        assert.equal(later[0].label, 'false_positive');
        assert.equal((await auditOf(pc.id)).length, events.length);
      },
    );

    await t.test(
      'a report that fails part-way (the database away) is handled in full when GitHub sends it again',
      async () => {
        const pc = await personalClient('leaked during an outage');
        const body = report(pc.clientSecret);
        // The database goes away while the report is handled, and stays away for the clean-up.
        const repos = s.store.clients as unknown as Record<string, unknown>;
        const reports = s.store.secretReports as unknown as Record<string, unknown>;
        const lookUp = repos.bySecretHash;
        const forget = reports.forget;
        repos.bySecretHash = async () => {
          throw new Error('Connection terminated unexpectedly');
        };
        reports.forget = async () => {
          throw new Error('Connection terminated unexpectedly');
        };
        try {
          assert.ok((await github(body)).status >= 500);
        } finally {
          repos.bySecretHash = lookUp;
          reports.forget = forget;
        }
        assert.equal((await s.store.clients.byId(tenant.id, pc.id))!.status, 'active');
        // GitHub's retry of the same report is no replay: the secret is revoked now.
        const retry = await github(body);
        assert.equal(retry.status, 200, await retry.clone().text());
        assert.equal((await retry.json())[0].label, 'true_positive');
        assert.equal((await s.store.clients.byId(tenant.id, pc.id))!.status, 'revoked');
        // Handled once, it is a replay from then on.
        assert.equal((await github(body)).status, 409);
      },
    );

    await t.test(
      'an application secret is regenerated; a refresh token and a whole .tok document end their grants',
      async () => {
        const app = await makeApp(s, { name: 'leaky app' });
        const tok = await generateAppTokens(
          s.services,
          tenant,
          app.id,
          { scopes: ['metering'], includeRefreshToken: true },
          SYSTEM,
        );
        const tok2 = await generateAppTokens(
          s.services,
          tenant,
          app.id,
          { scopes: ['metering'], includeRefreshToken: true },
          SYSTEM,
        );
        const before = (await s.store.clients.byId(tenant.id, app.id))!;
        // The refresh token alone: its family dies; the app secret and the other grant survive.
        const r1 = await (await github(report(tok.refresh_token!))).json();
        assert.equal(r1[0].label, 'true_positive');
        assert.equal((await refresh(app.clientId, app.clientSecret, tok.refresh_token!)).json().error, 'invalid_grant');
        assert.equal((await s.store.clients.byId(tenant.id, app.id))!.secretHash, before.secretHash);
        const family = (await s.store.refreshTokens.byHashAnyTenant(s.services.hasher.hash(tok.refresh_token!)))!
          .familyId;
        assert.deepEqual((await auditOf(family)).sort(), ['refresh_token.reported_leaked', 'refresh_token.revoked']);
        const intro = await s.app.inject({
          method: 'POST',
          url: '/t/demo/oauth2/v1/introspect',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic(app.clientId, app.clientSecret),
          },
          payload: form({ token: tok.app_access_token }),
        });
        assert.equal(intro.json().active, false, 'the access token of the ended grant is inactive');
        // The whole .tok document of the other grant: both of its tokens count.
        const r2 = await (await github(report(JSON.stringify(tok2)))).json();
        assert.equal(r2[0].label, 'true_positive');
        assert.equal(
          (await refresh(app.clientId, app.clientSecret, tok2.refresh_token!)).json().error,
          'invalid_grant',
        );
        // The app secret itself: regenerated (the new secret is shown to nobody), the old one refused.
        const r3 = await (await github(report(app.clientSecret))).json();
        assert.equal(r3[0].label, 'true_positive');
        const after = (await s.store.clients.byId(tenant.id, app.id))!;
        assert.notEqual(after.secretHash, before.secretHash);
        assert.equal(after.secretVersion, before.secretVersion + 1);
        assert.equal((await clientCredentials(s, app.clientId, app.clientSecret)).json().error, 'invalid_client');
        const actions = await auditOf(app.id);
        assert.ok(
          actions.includes('app.reported_leaked') && actions.includes('app.secret_regenerated'),
          actions.join(),
        );
      },
    );

    await t.test(
      'an access token on its own is denied (its app secret stays); reported again it is a false positive',
      async () => {
        const app = await makeApp(s, { name: 'token app' });
        const at = (await clientCredentials(s, app.clientId, app.clientSecret)).json().access_token as string;
        const active = async () =>
          (
            await s.app.inject({
              method: 'POST',
              url: '/t/demo/oauth2/v1/introspect',
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                authorization: basic(app.clientId, app.clientSecret),
              },
              payload: form({ token: at }),
            })
          ).json().active;
        assert.equal(await active(), true);
        assert.equal((await (await github(report(at))).json())[0].label, 'true_positive');
        assert.equal(await active(), false);
        assert.equal(
          (await clientCredentials(s, app.clientId, app.clientSecret)).statusCode,
          200,
          'the secret did not leak, it still works',
        );
        assert.equal((await (await github(report('not-ours', at))).json())[1].label, 'false_positive');
        const jti = JSON.parse(Buffer.from(at.split('.')[1], 'base64url').toString()).jti;
        assert.deepEqual(await auditOf(jti), ['access_token.revoked']);
      },
    );

    await t.test('a secret issued before checksums keeps working, and is revoked when reported', async () => {
      const app = await makeApp(s, { name: 'old app' });
      const legacy = 'lk_cs_' + randomBytes(32).toString('base64url');
      await s.store.clients.setSecret(tenant.id, app.id, s.services.hasher.hash(legacy));
      s.services.clients.onChange({ type: 'client.changed', tenantId: tenant.id, clientId: app.clientId });
      assert.equal((await clientCredentials(s, app.clientId, legacy)).statusCode, 200);
      const r = await (await github(report(legacy))).json();
      assert.equal(r[0].label, 'true_positive');
      assert.equal((await clientCredentials(s, app.clientId, legacy)).json().error, 'invalid_client');
    });

    await t.test(
      'forged, unknown-key, unsigned, malformed and oversized reports are refused and change nothing',
      async () => {
        const pc = await personalClient('careful script');
        const body = report(pc.clientSecret);
        const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
        const hitsBefore = ks.hits();
        const cases: [string, Promise<Response>, number, RegExp][] = [
          [
            'forged',
            github(body, {
              'github-public-key-identifier': key.id,
              'github-public-key-signature': sign('sha256', Buffer.from(body), other).toString('base64'),
            }),
            401,
            /signature/,
          ],
          [
            'tampered',
            github(body.replace('file0', 'file9'), {
              'github-public-key-identifier': key.id,
              'github-public-key-signature': signed(body),
            }),
            401,
            /signature/,
          ],
          [
            'unknown key',
            github(body, {
              'github-public-key-identifier': 'no-such-key',
              'github-public-key-signature': signed(body),
            }),
            401,
            /unknown/,
          ],
          ['unsigned', github(body, {}), 401, /required/],
          ['not JSON', github('not json'), 400, /JSON/],
          ['not an array', github('{"token":"x"}'), 400, /array/],
          [
            'too many tokens',
            github(report(...Array.from({ length: MAX_TOKENS + 1 }, (_, i) => `t${i}`))),
            400,
            /at most/,
          ],
          ['oversized', github(JSON.stringify([{ token: 'x'.repeat(300 * 1024), type: 't' }])), 413, /./],
        ];
        for (const [name, p, status, detail] of cases) {
          const res = await p;
          assert.equal(res.status, status, name);
          assert.match(String(res.headers.get('content-type')), /problem\+json/, name);
          assert.match((await res.json()).detail, detail, name);
        }
        assert.ok(
          ks.hits() > hitsBefore,
          'an unknown identifier made the server refresh its keys (and it stayed unknown)',
        );
        assert.equal((await s.store.clients.byId(tenant.id, pc.id))!.status, 'active');
        assert.deepEqual(await auditOf(pc.id), ['personal_client.created']);
        assert.equal((await clientCredentials(s, pc.clientId, pc.clientSecret)).statusCode, 200);
      },
    );

    await t.test('GitLab: token types, revocation with the shared token, a wrong token refused', async () => {
      const auth = { authorization: `Bearer ${GITLAB_TOKEN}` };
      const types = await fetch(`${base}/gitlab/revocable_token_types`, { headers: auth });
      assert.equal(types.status, 200);
      const { types: list } = await types.json();
      assert.ok(list.includes('gitleaks_rule_id_latchkey_client_secret'));
      const pc = await personalClient('gitlab leak');
      const body = JSON.stringify([
        {
          type: 'gitleaks_rule_id_latchkey_client_secret',
          token: pc.clientSecret,
          location: 'https://gitlab.example/g/p/-/blob/main/x',
        },
      ]);
      for (const [headers, status] of [
        [{}, 401],
        [{ authorization: 'Bearer wrong' }, 401],
      ] as const) {
        const res = await fetch(`${base}/gitlab/revoke_tokens`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body,
        });
        assert.equal(res.status, status);
      }
      const badType = await fetch(`${base}/gitlab/revoke_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify([{ type: 'aws_key', token: pc.clientSecret, location: 'x' }]),
      });
      assert.equal(badType.status, 400);
      assert.equal((await s.store.clients.byId(tenant.id, pc.id))!.status, 'active', 'refused requests change nothing');
      const ok = await fetch(`${base}/gitlab/revoke_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: GITLAB_TOKEN },
        body,
      });
      assert.equal(ok.status, 204);
      assert.equal((await s.store.clients.byId(tenant.id, pc.id))!.status, 'revoked');
      const leaked = (await s.store.audit.list(tenant.id, { targetId: pc.id }, 10)).find(
        (e) => e.action === 'personal_client.reported_leaked',
      )!;
      assert.equal(leaked.details.reporter, 'gitlab');
      assert.equal(leaked.details.url, 'https://gitlab.example/g/p/-/blob/main/x');
    });
  });
}

test('GitLab endpoints are off without GITLAB_REVOCATION_TOKEN', async (t) => {
  const s = await createTestServer('sqlite');
  t.after(() => s.close());
  const res = await s.app.inject({
    method: 'GET',
    url: '/secret-scanning/v1/gitlab/revocable_token_types',
    headers: { authorization: 'anything' },
  });
  assert.equal(res.statusCode, 404);
});

test('GITLAB_REVOCATION_TOKEN must be at least 32 characters', () => {
  assert.throws(
    () => loadConfig({ GITLAB_REVOCATION_TOKEN: 'x'.repeat(31) }),
    /GITLAB_REVOCATION_TOKEN must be at least 32 characters/,
  );
  assert.equal(loadConfig({ GITLAB_REVOCATION_TOKEN: 'x'.repeat(32) }).secretScanning.gitlabToken, 'x'.repeat(32));
});

test("GitLab: wrong revocation tokens are throttled per address; GitLab's own address keeps working", async (t) => {
  const s = await createTestServer('sqlite', { GITLAB_REVOCATION_TOKEN: GITLAB_TOKEN });
  t.after(() => s.close());
  const types = (authorization: string, remoteAddress: string) =>
    s.app.inject({
      method: 'GET',
      url: '/secret-scanning/v1/gitlab/revocable_token_types',
      headers: { authorization },
      remoteAddress,
    });
  const gitlab = '203.0.113.5';
  assert.equal((await types(`Bearer ${GITLAB_TOKEN}`, gitlab)).statusCode, 200);
  const guesses = 200;
  const started = Date.now();
  const statuses: number[] = [];
  let last;
  for (let i = 0; i < guesses; i++) {
    last = await types(`Bearer guess-${i}-${'x'.repeat(32)}`, '198.51.100.66');
    statuses.push(last.statusCode);
  }
  const elapsed = Date.now() - started;
  const limit = GITLAB_TOKEN_THROTTLE.pair.limit;
  assert.deepEqual(statuses.slice(0, limit), Array(limit).fill(401));
  assert.ok(
    statuses.slice(limit).every((c) => c === 429),
    statuses.join(','),
  );
  assert.equal(last!.json().status, 429);
  assert.ok(Number(last!.headers['retry-after']) > 0);
  console.log(
    `# ${guesses} wrong GitLab tokens from one address: ${elapsed} ms, ${limit} checked, ${guesses - limit} answered 429`,
  );
  // Even the right token waits at the guessing address; GitLab's address, where it succeeded, is unaffected,
  // also when someone sharing it guesses.
  assert.equal((await types(`Bearer ${GITLAB_TOKEN}`, '198.51.100.66')).statusCode, 429);
  for (let i = 0; i < 2 * limit; i++) await types(`Bearer wrong-${i}`, gitlab);
  assert.equal((await types(`Bearer ${GITLAB_TOKEN}`, gitlab)).statusCode, 200);
});

test('an unreachable GitHub key URL is logged once per refresh interval, not once per report', async (t) => {
  const s = await createTestServer('sqlite', {
    GITHUB_SECRET_SCANNING_KEYS_URL: 'http://127.0.0.1:1/keys',
    GITHUB_SECRET_SCANNING_KEYS_MIN_REFRESH_SECONDS: '60',
  });
  const lines: string[] = [];
  const app = await buildApp(s.services, {
    logger: {
      level: 'warn',
      stream: {
        write: (line: string) => {
          lines.push(line);
        },
      },
    },
  });
  t.after(async () => {
    await app.close();
    await s.close();
  });
  for (let i = 0; i < 20; i++) {
    const res = await app.inject({
      method: 'POST',
      url: '/secret-scanning/v1/github',
      payload: '[]',
      headers: {
        'content-type': 'application/json',
        'github-public-key-identifier': `key-${i}`,
        'github-public-key-signature': 'c2ln',
      },
    });
    assert.equal(res.statusCode, 503, res.body);
  }
  const warnings = lines.filter((l) => l.includes('GitHub key URL'));
  assert.equal(warnings.length, 1, warnings.join(''));
});
