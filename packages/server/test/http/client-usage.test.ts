import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer, basic } from '../helpers/harness.js';
import { demo, makeApp, token } from '../helpers/oauth.js';
import { problem } from '../helpers/api-client.js';
import { createUser } from '../../src/domain/users/service.js';

const DAY = 86_400_000;
const SYSTEM = { type: 'system' as const, id: null };
const PASSWORD = 'a sufficiently long password';
const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();

for (const backend of await backends()) {
  test(`client usage and stale credentials (${backend})`, async (t) => {
    // One reverse proxy in front: the recorded address is the forwarded one, as request.ip sees it.
    const s = await createTestServer(backend, { TRUST_PROXY: '1' });
    t.after(() => s.close());
    const tenant = await demo(s);
    const roles = await s.store.roles.list(tenant.id);
    const creator = roles.find((r) => r.builtin === 'oauth2-client-creator')!;
    const manager = roles.find((r) => r.builtin === 'domain-manager')!;
    await createUser(
      s.store,
      tenant,
      { email: 'carol@demo.test', displayName: 'Carol', password: PASSWORD, roleIds: [creator.id] },
      SYSTEM,
    );
    await createUser(
      s.store,
      tenant,
      { email: 'boss@demo.test', displayName: 'Boss', password: PASSWORD, roleIds: [manager.id] },
      SYSTEM,
    );
    const bearer = async (email: string) =>
      `Bearer ${(await token(s, { grant_type: 'password', client_id: 'latchkey-sdk', username: email, password: PASSWORD })).json().access_token}`;
    const carol = await bearer('carol@demo.test');
    const boss = await bearer('boss@demo.test');
    const get = (auth: string, url: string) =>
      s.app.inject({ method: 'GET', url: `/t/demo/api/v1${url}`, headers: { authorization: auth } });
    const mk = async (name: string, days = 30) =>
      (
        await s.app.inject({
          method: 'POST',
          url: '/t/demo/api/v1/me/oauth2-clients',
          headers: { authorization: carol },
          payload: { name, expiresAt: inDays(days) },
        })
      ).json();
    const used = await mk('used');
    const idle = await mk('idle');
    await mk('soon', 3);
    const app = await makeApp(s, { name: 'nightly job', grantTypes: ['client_credentials'] });
    await s.services.usage.flush(); // the password grants above: the SDK client's uses, out of the way
    const longAgent = 'curl/8.0 ' + 'x'.repeat(1000);
    const use = (clientId: string, secret: string, from: string) =>
      token(
        s,
        { grant_type: 'client_credentials' },
        {
          authorization: basic(clientId, secret),
          'x-forwarded-for': from,
          'user-agent': longAgent,
        },
      );

    await t.test('uses are batched: nothing stored per request; the latest use is written on close', async () => {
      assert.equal((await use(used.clientId, used.clientSecret, '198.51.100.1')).statusCode, 200);
      assert.equal((await use(used.clientId, used.clientSecret, '203.0.113.7')).statusCode, 200);
      assert.equal((await use(app.clientId, app.clientSecret, '2001:db8::5')).statusCode, 200);
      assert.equal(
        (await s.store.clients.byId(tenant.id, used.id))!.lastUsedAt,
        null,
        'no store write on the token path',
      );
      // The server's clean-stop path closes the tracker (server.ts shutdown, harness close): it flushes.
      await s.services.usage.close();
      const c = (await s.store.clients.byId(tenant.id, used.id))!;
      assert.equal(c.lastUsedAddress, '203.0.113.7', 'the forwarded address of the latest use');
      assert.equal(c.lastUsedUserAgent, longAgent.slice(0, 256), 'user agent cut to 256 characters');
      assert.ok(c.lastUsedAt! > Date.now() - 60_000);
      const a = (await s.store.clients.byId(tenant.id, app.id))!;
      assert.equal(a.lastUsedAddress, '2001:db8::5');
      const [first] = await s.store.audit
        .list(tenant.id, { action: 'client.first_used' }, 10)
        .then((es) => es.filter((e) => e.targetId === used.id));
      assert.ok(first, 'first use audited once at flush');
    });

    await t.test('the API shows last use for personal clients and applications', async () => {
      const mine = (await get(carol, `/me/oauth2-clients/${used.id}`)).json();
      assert.equal(mine.lastUsedAddress, '203.0.113.7');
      assert.equal(mine.lastUsedUserAgent.length, 256);
      assert.equal(typeof mine.lastUsedAt, 'string');
      const idleView = (await get(carol, `/me/oauth2-clients/${idle.id}`)).json();
      assert.deepEqual([idleView.lastUsedAt, idleView.lastUsedAddress, idleView.lastUsedUserAgent], [null, null, null]);
      const appView = (await get(boss, `/apps/${app.id}`)).json();
      assert.equal(appView.lastUsedAddress, '2001:db8::5');
    });

    await t.test('stale credentials: filters combine with OR, each item says why', async () => {
      // `used` was last used 100 days ago; `idle` was created 100 days ago and never used.
      await s.store.db
        .updateTable('clients')
        .set({ last_used_at: Date.now() - 100 * DAY })
        .where('id', '=', used.id)
        .execute();
      await s.store.db
        .updateTable('clients')
        .set({ created_at: Date.now() - 100 * DAY })
        .where('id', '=', idle.id)
        .execute();
      const stale = async (q: string) => {
        const r = await get(boss, `/stale-credentials?${q}`);
        assert.equal(r.statusCode, 200, r.body);
        return Object.fromEntries(r.json().items.map((i: { name: string; reasons: string[] }) => [i.name, i.reasons]));
      };
      assert.deepEqual(await stale('neverUsed=true'), { idle: ['never_used'], soon: ['never_used'] });
      assert.deepEqual(await stale('unusedDays=90'), { used: ['unused'], idle: ['unused'] });
      assert.deepEqual(await stale('unusedDays=90&kind=app'), {});
      assert.deepEqual(await stale('expiringWithinDays=7'), { soon: ['expiring'] });
      assert.deepEqual(await stale('neverUsed=true&unusedDays=90&expiringWithinDays=7'), {
        used: ['unused'],
        idle: ['never_used', 'unused'],
        soon: ['never_used', 'expiring'],
      });
      const item = (await get(boss, '/stale-credentials?unusedDays=90&sort=lastUsedAt'))
        .json()
        .items.find((i: { name: string }) => i.name === 'used');
      assert.deepEqual(
        { kind: item.kind, owner: item.owner.email, address: item.lastUsedAddress },
        { kind: 'personal', owner: 'carol@demo.test', address: '203.0.113.7' },
      );
      assert.equal(typeof item.expiresAt, 'string');
      // Applications are listed too (the app was used now: only never-used/unused catch it once idle).
      await s.store.db
        .updateTable('clients')
        .set({ last_used_at: Date.now() - 200 * DAY })
        .where('id', '=', app.id)
        .execute();
      const apps = (await get(boss, '/stale-credentials?unusedDays=150&kind=app')).json().items;
      assert.deepEqual(
        apps.map((i: { kind: string; name: string; owner: unknown; expiresAt: unknown }) => [
          i.kind,
          i.name,
          i.owner,
          i.expiresAt,
        ]),
        [['app', 'nightly job', null, null]],
      );
    });

    await t.test('stale credentials: paginated; bad queries refused; managers only', async () => {
      const p1 = (await get(boss, '/stale-credentials?neverUsed=true&unusedDays=1&limit=2')).json();
      assert.equal(p1.items.length, 2);
      const p2 = (
        await get(boss, `/stale-credentials?neverUsed=true&unusedDays=1&limit=2&cursor=${p1.nextCursor}`)
      ).json();
      const ids = [...p1.items, ...p2.items].map((i: { id: string }) => i.id);
      assert.equal(new Set(ids).size, ids.length, 'no duplicates across pages');
      assert.equal(ids.length, 4);
      problem(await get(boss, '/stale-credentials'), 400, /neverUsed=true, unusedDays=N and\/or expiringWithinDays=N/);
      problem(await get(boss, '/stale-credentials?unusedDays=-1'), 400);
      problem(await get(boss, '/stale-credentials?unusedDays=ten'), 400);
      problem(await get(carol, '/stale-credentials?neverUsed=true'), 403);
    });
  });
}
