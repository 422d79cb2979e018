import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, ADMIN_EMAIL, ADMIN_PASSWORD, type TestServer } from '../helpers/harness.js';
import { as, login, problem, type Caller } from '../helpers/api-client.js';
import { changeTenant, clientCredentials } from '../helpers/oauth.js';
import { startCiIssuer, type CiIssuer } from '../helpers/ci-issuer.js';
import { freePort } from '../helpers/process.js';

const PASSWORD = 'a long enough password';
const API = '/t/demo/api/v1';

for (const backend of await backends()) {
  describe(`federation policies API (${backend})`, () => {
    let s: TestServer;
    let ci: CiIssuer;
    let admin: Caller;
    let appId: string;
    let tenantId: string;
    const body = (over: Record<string, unknown> = {}) => ({
      name: 'deploy from release branches',
      preset: 'github-actions',
      issuer: ci.issuer,
      conditions: { repository_id: '74', ref: 'refs/heads/release/*' },
      appId,
      scopes: ['myservices'],
      ...over,
    });
    const stored = async () => s.store.federationPolicies.all(tenantId);

    before(async () => {
      s = await createTestServer(backend);
      ci = await startCiIssuer();
      admin = as(s, await login(s, 'demo', ADMIN_EMAIL, ADMIN_PASSWORD));
      tenantId = (await s.store.tenants.bySlug('demo'))!.id;
      await changeTenant(s, { enterpriseEnabled: true });
      const app = await admin.request('POST', `${API}/apps`, {
        name: 'deployer',
        grantTypes: ['client_credentials'],
        scopes: ['myservices', 'metering'],
      });
      assert.equal(app.statusCode, 201, app.body);
      appId = app.json().id;
    });
    after(async () => {
      await ci.close();
      await s.close();
    });

    test('a domain manager creates, reads, lists, changes and deletes a policy', async () => {
      const created = await admin.request('POST', `${API}/federation-policies`, body({ maxTokenLifetimeSeconds: 600 }));
      assert.equal(created.statusCode, 201, created.body);
      const p = created.json();
      assert.equal(p.name, 'deploy from release branches');
      assert.equal(p.issuer, ci.issuer);
      assert.equal(p.audience, 'http://latchkey.test/t/demo');
      assert.deepEqual(p.conditions, { ref: 'refs/heads/release/*', repository_id: '74' });
      assert.equal(p.appClientId.startsWith('lk_app_'), true);
      assert.deepEqual(p.scopes, ['myservices']);
      assert.equal(p.maxTokenLifetimeSeconds, 600);
      assert.equal(p.preset, 'github-actions');
      assert.equal(p.refuseReplay, false);
      assert.equal(p.lastUsedAt, null);

      const one = await admin.request('GET', `${API}/federation-policies/${p.id}`);
      assert.equal(one.statusCode, 200);
      assert.deepEqual(one.json(), p);

      const second = await admin.request(
        'POST',
        `${API}/federation-policies`,
        body({ name: 'nightly', refuseReplay: true }),
      );
      assert.equal(second.statusCode, 201, second.body);
      const page1 = await admin.request('GET', `${API}/federation-policies?limit=1&sort=name`);
      assert.equal(page1.statusCode, 200, page1.body);
      assert.deepEqual(
        page1.json().items.map((i: { name: string }) => i.name),
        ['deploy from release branches'],
      );
      const page2 = await admin.request(
        'GET',
        `${API}/federation-policies?limit=1&sort=name&cursor=${page1.json().nextCursor}`,
      );
      assert.deepEqual(
        page2.json().items.map((i: { name: string }) => i.name),
        ['nightly'],
      );
      assert.equal(page2.json().nextCursor, null);
      const filtered = await admin.request('GET', `${API}/federation-policies?q=NIGHT&appId=${appId}`);
      assert.deepEqual(
        filtered.json().items.map((i: { id: string }) => i.id),
        [second.json().id],
      );
      assert.deepEqual((await admin.request('GET', `${API}/federation-policies?appId=other`)).json().items, []);

      const patched = await admin.request('PATCH', `${API}/federation-policies/${p.id}`, {
        conditions: { repository_id: '74', ref: 'refs/heads/main', environment: 'production' },
        scopes: ['metering', 'myservices'],
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().conditions, {
        environment: 'production',
        ref: 'refs/heads/main',
        repository_id: '74',
      });
      assert.deepEqual(patched.json().scopes, ['metering', 'myservices']);

      for (const id of [p.id, second.json().id]) {
        assert.equal((await admin.request('DELETE', `${API}/federation-policies/${id}`)).statusCode, 204);
      }
      problem(await admin.request('GET', `${API}/federation-policies/${p.id}`), 404, /does not exist/, 'not_found');
      problem(await admin.request('DELETE', `${API}/federation-policies/${p.id}`), 404, /does not exist/, 'not_found');
      assert.deepEqual(await stored(), []);
      const audit = await admin.request('GET', `${API}/audit?targetId=${p.id}`);
      assert.deepEqual(
        audit
          .json()
          .items.map((e: { action: string }) => e.action)
          .sort(),
        ['federation_policy.created', 'federation_policy.deleted', 'federation_policy.updated'],
      );
    });

    test('a bad policy is refused with a problem saying why, and nothing is saved', async () => {
      const refuse = async (b: unknown, status: number, detail: RegExp, code: string) =>
        problem(await admin.request('POST', `${API}/federation-policies`, b), status, detail, code as never);
      await refuse(
        body({ conditions: { sub: 'repo:octo-org/octo-repo:*' } }),
        400,
        /exact condition on repository_id or repository_owner_id: .*a `sub` pattern alone can be matched by other people's workflows/,
        'invalid',
      );
      await refuse(body({ scopes: ['myservices', 'nope'] }), 400, /scopes outside the application's: nope/, 'invalid');
      await refuse(body({ maxTokenLifetimeSeconds: 7200 }), 400, /maxTokenLifetimeSeconds must be <= 3600/, 'invalid');
      await refuse(body({ conditions: { ref: 'refs/**' } }), 400, /"\*\*" is not supported/, 'invalid');
      await refuse(body({ preset: 'jenkins' }), 400, /preset must be one of/, 'invalid');
      await refuse(body({ extra: 1 }), 400, /extra is not allowed/, 'invalid');
      await refuse(body({ issuer: 'http://ci.example.com' }), 400, /plain http only on the loopback/, 'issuer_invalid');
      await refuse(
        body({ issuer: `http://127.0.0.1:${await freePort()}` }),
        400,
        /discovery document .* could not be fetched: connection failed/,
        'issuer_unreachable',
      );
      const first = await admin.request('POST', `${API}/federation-policies`, body({ name: 'taken' }));
      assert.equal(first.statusCode, 201);
      await refuse(body({ name: 'TAKEN' }), 409, /already exists/, 'conflict');
      assert.deepEqual(
        (await stored()).map((p) => p.name),
        ['taken'],
      );
      problem(
        await admin.request('PATCH', `${API}/federation-policies/${first.json().id}`, { conditions: { ref: 'main' } }),
        400,
        /exact condition on repository_id/,
        'invalid',
      );
      assert.deepEqual((await stored())[0].conditions, { ref: 'refs/heads/release/*', repository_id: '74' });
      await admin.request('DELETE', `${API}/federation-policies/${first.json().id}`);
    });

    test('only domain managers see policies, and only an interactive sign-in changes one', async () => {
      const created = await admin.request('POST', `${API}/federation-policies`, body({ name: 'guarded' }));
      const id = created.json().id;
      // A user who is no manager.
      const roles = await s.store.roles.list(tenantId);
      const creator = roles.find((r) => r.builtin === 'oauth2-client-creator')!.id;
      const manager = roles.find((r) => r.builtin === 'domain-manager')!.id;
      const joe = await admin.request('POST', `${API}/users`, {
        email: 'joe@demo.test',
        password: PASSWORD,
        roleIds: [creator],
      });
      assert.equal(joe.statusCode, 201, joe.body);
      const joeCaller = as(s, await login(s, 'demo', 'joe@demo.test', PASSWORD));
      problem(await joeCaller.request('GET', `${API}/federation-policies`), 403, /domain managers/, 'forbidden');
      problem(
        await joeCaller.request('POST', `${API}/federation-policies`, body({ name: 'x' })),
        403,
        undefined,
        'forbidden',
      );
      // A manager's personal client holding every management scope: still not an interactive sign-in.
      const ann = await admin.request('POST', `${API}/users`, {
        email: 'ann@demo.test',
        password: PASSWORD,
        roleIds: [creator, manager],
      });
      assert.equal(ann.statusCode, 201, ann.body);
      const annCaller = as(s, await login(s, 'demo', 'ann@demo.test', PASSWORD));
      const pc = await annCaller.request('POST', `${API}/me/oauth2-clients`, {
        name: 'all of it',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      assert.equal(pc.statusCode, 201, pc.body);
      const tok = await clientCredentials(s, pc.json().clientId, pc.json().clientSecret);
      const viaClient = as(s, { bearer: tok.json().access_token });
      assert.equal((await viaClient.request('GET', `${API}/federation-policies`)).statusCode, 200, 'reading is fine');
      for (const [method, url, b] of [
        ['POST', `${API}/federation-policies`, body({ name: 'sneaky', conditions: { repository_owner_id: '65' } })],
        ['PATCH', `${API}/federation-policies/${id}`, { conditions: { repository_owner_id: '65' } }],
        ['DELETE', `${API}/federation-policies/${id}`, undefined],
      ] as const) {
        const r = await viaClient.request(method, url, b);
        problem(r, 403, /interactive sign-in/, 'interactive_sign_in');
      }
      assert.deepEqual(
        (await stored()).map((p) => [p.name, p.conditions]),
        [['guarded', { ref: 'refs/heads/release/*', repository_id: '74' }]],
      );
      await admin.request('DELETE', `${API}/federation-policies/${id}`);
    });

    test('the OpenAPI document describes the federation policies', async () => {
      const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const paths = doc.paths as Record<string, Record<string, { summary?: string; security?: unknown }>>;
      for (const m of ['get', 'post']) assert.ok(paths['/t/{tenant}/api/v1/federation-policies'][m]?.summary);
      for (const m of ['get', 'patch', 'delete'])
        assert.ok(paths['/t/{tenant}/api/v1/federation-policies/{id}'][m]?.summary);
      assert.deepEqual(paths['/t/{tenant}/api/v1/federation-policies'].post.security, [
        { bearer: ['latchkey:apps'] },
        { session: [] },
      ]);
    });
  });
}
