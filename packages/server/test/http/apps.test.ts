import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, basic, type TestServer } from '../helpers/harness.js';
import { passwordGrant, token, introspect, clientCredentials, demo } from '../helpers/oauth.js';

async function adminToken(s: TestServer): Promise<string> {
  return (await passwordGrant(s)).json().access_token;
}

for (const backend of await backends()) {
  test(`applications API (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const bearer = { authorization: `Bearer ${await adminToken(s)}` };
    const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
      s.app.inject({ method, url: `/t/demo/api/v1${url}`, headers: bearer, ...(payload ? { payload } : {}) });

    await t.test('create answers the secret once; it never appears again', async () => {
      const r = await api('POST', '/apps', {
        name: 'Billing export',
        description: 'nightly',
        grantTypes: ['client_credentials', 'refresh_token'],
        scopes: ['metering'],
      });
      assert.equal(r.statusCode, 201, r.body);
      const body = r.json();
      assert.match(body.clientSecret, /^lk_cs_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
      assert.match(body.clientId, /^lk_app_/);
      assert.equal(body.status, 'active');
      const got = await api('GET', `/apps/${body.id}`);
      assert.equal(got.statusCode, 200);
      assert.equal(got.json().clientSecret, undefined);
      assert.ok(!got.body.includes(body.clientSecret));
      const list = await api('GET', '/apps');
      assert.ok(!list.body.includes(body.clientSecret));
      const stored = await s.store.clients.byId((await demo(s)).id, body.id);
      assert.notEqual(stored!.secretHash, body.clientSecret);
      assert.ok(!stored!.secretHash!.includes(body.clientSecret.slice(6)));
    });

    await t.test('bad input is refused with a specific problem and creates nothing', async () => {
      const before = (await api('GET', '/apps')).json().items.length;
      const cases: Array<[object, RegExp]> = [
        [{ name: '', grantTypes: ['client_credentials'], scopes: [] }, /name/],
        [{ name: 'x', grantTypes: ['password'], scopes: [] }, /grantTypes/],
        [{ name: 'x', grantTypes: ['client_credentials'], scopes: ['nope'] }, /unknown scopes: nope/],
        [{ name: 'x', grantTypes: ['client_credentials'], scopes: [], extra: 1 }, /extra is not allowed/],
      ];
      for (const [payload, detail] of cases) {
        const r = await api('POST', '/apps', payload);
        assert.equal(r.statusCode, 400, r.body);
        assert.equal(r.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.match(r.json().detail, detail);
      }
      assert.equal((await api('GET', '/apps')).json().items.length, before);
    });

    await t.test('.tok file: access + refresh token, then the developer refreshes with Basic auth', async () => {
      const created = (
        await api('POST', '/apps', {
          name: 'Dev Tool',
          grantTypes: ['refresh_token'],
          scopes: ['metering', 'myservices'],
        })
      ).json();
      const r = await api('POST', `/apps/${created.id}/tokens`, {
        scopes: ['metering', 'myservices'],
        includeRefreshToken: true,
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['content-disposition'], 'attachment; filename="dev-tool.tok"');
      const tok = r.json();
      assert.ok(tok.app_access_token && tok.refresh_token);
      const auth = { authorization: basic(created.clientId, created.clientSecret) };
      const r1 = await token(s, { grant_type: 'refresh_token', refresh_token: tok.refresh_token }, auth);
      assert.equal(r1.statusCode, 200, r1.body);
      assert.deepEqual(Object.keys(r1.json()).sort(), [
        'access_token',
        'expires_in',
        'refresh_token',
        'scope',
        'token_type',
      ]);
      assert.equal(r1.json().expires_in, 3600);
      const narrow = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: r1.json().refresh_token, scope: 'metering' },
        auth,
      );
      assert.equal(narrow.json().scope, 'metering');
      assert.equal(
        (await token(s, { grant_type: 'refresh_token', refresh_token: tok.refresh_token }, auth)).json().error,
        'invalid_grant',
      );
      // Subset rules for generation.
      const bad = await api('POST', `/apps/${created.id}/tokens`, { scopes: ['admin'], includeRefreshToken: false });
      assert.equal(bad.statusCode, 400);
      const noRefresh = (
        await api('POST', '/apps', { name: 'cc only', grantTypes: ['client_credentials'], scopes: ['metering'] })
      ).json();
      const nr = await api('POST', `/apps/${noRefresh.id}/tokens`, { scopes: ['metering'], includeRefreshToken: true });
      assert.equal(nr.statusCode, 400);
      assert.match(nr.json().detail, /refresh_token grant/);
    });

    await t.test('secret regeneration, deactivation and activation through the API', async () => {
      const created = (
        await api('POST', '/apps', {
          name: 'Lifecycle',
          grantTypes: ['client_credentials', 'refresh_token'],
          scopes: ['metering'],
        })
      ).json();
      const tok = (
        await api('POST', `/apps/${created.id}/tokens`, { scopes: ['metering'], includeRefreshToken: true })
      ).json();
      const at = (await clientCredentials(s, created.clientId, created.clientSecret)).json().access_token;
      const deact = await api('POST', `/apps/${created.id}/deactivate`);
      assert.equal(deact.json().status, 'inactive');
      assert.equal((await clientCredentials(s, created.clientId, created.clientSecret)).statusCode, 401);
      const probe = (
        await api('POST', '/apps', { name: 'probe', grantTypes: ['client_credentials'], scopes: [] })
      ).json();
      assert.equal((await introspect(s, probe.clientId, probe.clientSecret, at)).active, false);
      assert.equal((await introspect(s, probe.clientId, probe.clientSecret, tok.app_access_token)).active, false);
      await api('POST', `/apps/${created.id}/activate`);
      assert.equal((await introspect(s, probe.clientId, probe.clientSecret, at)).active, true);
      const auth = { authorization: basic(created.clientId, created.clientSecret) };
      const r1 = (await token(s, { grant_type: 'refresh_token', refresh_token: tok.refresh_token }, auth)).json();
      assert.ok(r1.refresh_token, 'the same refresh token works again after activation');
      const regen = await api('POST', `/apps/${created.id}/secret`);
      assert.equal(regen.statusCode, 200);
      const newSecret = regen.json().clientSecret;
      assert.notEqual(newSecret, created.clientSecret);
      assert.equal((await clientCredentials(s, created.clientId, created.clientSecret)).statusCode, 401);
      assert.equal((await clientCredentials(s, created.clientId, newSecret)).statusCode, 200);
      const dead = await token(
        s,
        { grant_type: 'refresh_token', refresh_token: r1.refresh_token },
        { authorization: basic(created.clientId, newSecret) },
      );
      assert.equal(dead.json().error, 'invalid_grant');
      const actions = (await s.store.audit.list((await demo(s)).id, { targetId: created.id }, 50)).map((e) => e.action);
      for (const a of [
        'app.created',
        'app.tokens_generated',
        'app.deactivated',
        'app.activated',
        'app.secret_regenerated',
      ])
        assert.ok(actions.includes(a), a);
    });

    await t.test('patch, delete, list with sort and cursor', async () => {
      const a = (
        await api('POST', '/apps', { name: 'zeta', grantTypes: ['client_credentials'], scopes: ['metering'] })
      ).json();
      const p = await api('PATCH', `/apps/${a.id}`, { name: 'alpha-renamed', scopes: ['myservices'] });
      assert.equal(p.statusCode, 200, p.body);
      assert.deepEqual(p.json().scopes, ['myservices']);
      assert.equal((await clientCredentials(s, a.clientId, a.clientSecret, 'metering')).json().error, 'invalid_scope');
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const r = await api('GET', `/apps?sort=name&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.statusCode, 200, r.body);
        names.push(...r.json().items.map((x: { name: string }) => x.name));
        cursor = r.json().nextCursor ?? undefined;
      } while (cursor);
      assert.deepEqual(names, [...names].sort());
      assert.equal(new Set(names).size, names.length);
      const del = await api('DELETE', `/apps/${a.id}`);
      assert.equal(del.statusCode, 204);
      assert.equal((await api('GET', `/apps/${a.id}`)).statusCode, 404);
      assert.equal((await clientCredentials(s, a.clientId, a.clientSecret)).statusCode, 401);
      const badCursor = await api('GET', '/apps?cursor=abc');
      assert.equal(badCursor.statusCode, 400);
    });

    await t.test('only domain managers; another tenant sees nothing', async () => {
      const a = (await api('POST', '/apps', { name: 'mine', grantTypes: ['client_credentials'], scopes: [] })).json();
      const other = await s.app.inject({
        method: 'POST',
        url: '/platform/api/v1/tenants',
        headers: bearer,
        payload: { slug: 'other', name: 'Other' },
      });
      assert.equal(other.statusCode, 201, other.body);
      const inOther = await s.app.inject({ method: 'GET', url: `/t/other/api/v1/apps/${a.id}`, headers: bearer });
      assert.equal(inOther.statusCode, 401, 'a demo token is not valid for tenant other');
      const { createUser } = await import('../../src/domain/users/service.js');
      await createUser(
        s.store,
        await demo(s),
        { email: 'plain@demo.test', displayName: 'Plain', password: 'plain user password' },
        { type: 'system', id: null },
      );
      const plain = (await passwordGrant(s, 'plain@demo.test', 'plain user password')).json().access_token;
      const r = await s.app.inject({
        method: 'GET',
        url: '/t/demo/api/v1/apps',
        headers: { authorization: `Bearer ${plain}` },
      });
      assert.equal(r.statusCode, 403);
    });
  });
}
