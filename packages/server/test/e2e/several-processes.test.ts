import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { backends, createScratchDatabase, ADMIN_EMAIL, ADMIN_PASSWORD, basic } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { loadConfig } from '../../src/config.js';
import { openStore, migrateToLatest, Store } from '../../src/store/index.js';
import { bootstrap } from '../../src/bootstrap.js';
import { LISTENER_APPLICATION_NAME } from '../../src/store/change-listener.js';
import { PASSWORD_THROTTLE } from '../../src/domain/throttle/policies.js';

// A correctness bound, far above what notifications take: the caches' TTL alone would miss it.
const MAX_DELAY_MS = 1000;

/**
 * Three real server processes on one PostgreSQL database behave as one server: what is changed
 * through A is refused (or seen) by B and C at once, because A's transaction announced it, and
 * password guesses spread over them are counted together.
 */
if ((await backends()).includes('postgres')) {
  test('three server processes on one database (postgres)', async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-'));
    const scratch = await createScratchDatabase();
    const env: Record<string, string> = {
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      PUBLIC_URL: 'http://latchkey.test',
      DATABASE_URL: scratch.url,
    };
    const handle = openStore({ databaseUrl: scratch.url, dataDir });
    await migrateToLatest(handle.db);
    await bootstrap(new Store(handle.db, handle.dialect), loadConfig(env));
    const servers: ServerProcess[] = [];
    t.after(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await handle.close();
      await scratch.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    servers.push(...(await Promise.all([1, 2, 3].map(() => startServerProcess(env)))));
    const [a, b, c] = servers;

    const tokenAt = async (s: ServerProcess, params: Record<string, string>, auth?: string) =>
      fetch(`${s.url}/t/demo/oauth2/v1/token`, {
        method: 'POST',
        body: new URLSearchParams(params),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
      });
    const passwordAt = async (s: ServerProcess, username: string, password: string) => {
      const r = await tokenAt(s, { grant_type: 'password', client_id: 'latchkey-sdk', username, password });
      assert.equal(r.status, 200, await r.clone().text());
      return ((await r.json()) as { access_token: string }).access_token;
    };
    const ccStatus = async (s: ServerProcess, id: string, secret: string) =>
      (await tokenAt(s, { grant_type: 'client_credentials' }, basic(id, secret))).status;
    const admin = await passwordAt(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    const api = async (s: ServerProcess, method: string, url: string, body?: object, bearer = admin) => {
      const r = await fetch(`${s.url}/t/demo/api/v1${url}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : null };
    };
    const ok = async (p: ReturnType<typeof api>, status = 200) => {
      const r = await p;
      assert.equal(r.status, status, JSON.stringify(r.body));
      return r.body;
    };
    const newApp = (name: string) =>
      ok(api(a, 'POST', '/apps', { name, grantTypes: ['client_credentials'], scopes: ['myservices'] }), 201);

    const delays: number[] = [];
    /** Both B and C see the old state, the write goes through A, then both see the new state within the bound. */
    async function seenEverywhere(
      what: string,
      changedOn: (s: ServerProcess) => Promise<boolean>,
      write: () => Promise<unknown>,
    ) {
      for (const s of [b, c]) assert.equal(await changedOn(s), false, `${what}: the old state is cached first`);
      await write();
      const written = performance.now();
      const took = await Promise.all(
        [b, c].map(async (s) => {
          while (!(await changedOn(s))) {
            if (performance.now() - written > 3000) throw new Error(`${what}: not seen by ${s.url} after 3 s`);
          }
          return performance.now() - written;
        }),
      );
      delays.push(...took);
      for (const ms of took) assert.ok(ms < MAX_DELAY_MS, `${what}: seen after ${ms.toFixed(0)} ms`);
    }

    const personal = await ok(
      api(a, 'POST', '/me/oauth2-clients', {
        name: 'script',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      }),
      201,
    );
    await seenEverywhere(
      'a personal client deleted',
      async (s) => (await ccStatus(s, personal.clientId, personal.clientSecret)) === 401,
      () => ok(api(a, 'DELETE', `/me/oauth2-clients/${personal.id}`), 204),
    );

    const suspended = await newApp('to deactivate');
    await seenEverywhere(
      'an app deactivated',
      async (s) => (await ccStatus(s, suspended.clientId, suspended.clientSecret)) === 401,
      () => ok(api(a, 'POST', `/apps/${suspended.id}/deactivate`)),
    );

    const rotated = await newApp('to regenerate');
    await seenEverywhere(
      'a secret regenerated',
      async (s) => (await ccStatus(s, rotated.clientId, rotated.clientSecret)) === 401,
      () => ok(api(a, 'POST', `/apps/${rotated.id}/secret`)),
    );

    // A rotation keeps the client id: B and C refuse the old secret at once and take the new one.
    const toRotate = await ok(
      api(a, 'POST', '/me/oauth2-clients', {
        name: 'rotated script',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      }),
      201,
    );
    let newSecret = '';
    await seenEverywhere(
      'a personal client secret rotated',
      async (s) => (await ccStatus(s, toRotate.clientId, toRotate.clientSecret)) === 401,
      async () => {
        newSecret = (await ok(api(a, 'POST', `/me/oauth2-clients/${toRotate.id}/rotate`, {}))).clientSecret;
      },
    );
    for (const s of [b, c]) assert.equal(await ccStatus(s, toRotate.clientId, newSecret), 200);

    const userPassword = 'a long enough password';
    const dev = await ok(api(a, 'POST', '/users', { email: 'dev@demo.test', password: userPassword }), 201);
    const devToken = await passwordAt(a, 'dev@demo.test', userPassword);
    await seenEverywhere(
      'a user disabled',
      async (s) => (await api(s, 'GET', '/me', undefined, devToken)).status === 401,
      () => ok(api(a, 'PATCH', `/users/${dev.id}`, { status: 'disabled' })),
    );

    const role = await ok(api(a, 'POST', '/roles', { name: 'metering-reader', scopes: ['metering'] }), 201);
    await ok(api(a, 'POST', '/users', { email: 'reader@demo.test', password: userPassword, roleIds: [role.id] }), 201);
    const readerToken = await passwordAt(a, 'reader@demo.test', userPassword);
    await seenEverywhere(
      'a role removed',
      async (s) => !(await ok(api(s, 'GET', '/me', undefined, readerToken))).scopes.includes('metering'),
      () => ok(api(a, 'DELETE', `/roles/${role.id}`), 204),
    );

    await seenEverywhere(
      'a setting changed',
      async (s) => (await fetch(`${s.url}/t/demo/oauth2/v1/keys`)).status === 401,
      () => ok(api(a, 'PATCH', '/settings', { signingCertificatePublic: false })),
    );

    const holder = await newApp('token holder');
    const at = (
      (await (
        await tokenAt(a, { grant_type: 'client_credentials' }, basic(holder.clientId, holder.clientSecret))
      ).json()) as { access_token: string }
    ).access_token;
    const introspect = async (s: ServerProcess) =>
      (await (
        await fetch(`${s.url}/t/demo/oauth2/v1/introspect`, {
          method: 'POST',
          body: new URLSearchParams({ token: at }),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic(holder.clientId, holder.clientSecret),
          },
        })
      ).json()) as { active: boolean };
    await seenEverywhere(
      'an access token revoked',
      async (s) => (await introspect(s)).active === false,
      async () =>
        assert.equal(
          (
            await fetch(`${a.url}/t/demo/oauth2/v1/revoke`, {
              method: 'POST',
              body: new URLSearchParams({ token: at }),
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                authorization: basic(holder.clientId, holder.clientSecret),
              },
            })
          ).status,
          200,
        ),
    );

    // Every process's listening connection is cut: each reconnects, listens again and keeps hearing.
    const pgAdmin = new pg.Client({ connectionString: scratch.url });
    await pgAdmin.connect();
    const listeners = () =>
      pgAdmin.query('select pid from pg_stat_activity where application_name = $1 and datname = current_database()', [
        LISTENER_APPLICATION_NAME,
      ]);
    try {
      const before = (await listeners()).rows.map((r) => r.pid as number);
      assert.equal(before.length, 3, 'one listening connection per process');
      await pgAdmin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [before]);
      const deadline = Date.now() + 5000;
      for (;;) {
        const now = (await listeners()).rows.map((r) => r.pid as number);
        if (now.length === 3 && now.every((pid) => !before.includes(pid))) break;
        if (Date.now() > deadline) throw new Error(`listeners not re-established: ${JSON.stringify(now)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await pgAdmin.end();
    }
    const late = await newApp('after reconnecting');
    await seenEverywhere(
      'an app deactivated after the listeners reconnected',
      async (s) => (await ccStatus(s, late.clientId, late.clientSecret)) === 401,
      () => ok(api(a, 'POST', `/apps/${late.id}/deactivate`)),
    );

    // Guesses from one address round-robin over the processes: locked at the count of one process.
    await ok(api(a, 'POST', '/users', { email: 'victim@demo.test', password: userPassword }), 201);
    for (let i = 0; i < PASSWORD_THROTTLE.pair.limit; i++) {
      const r = await tokenAt(servers[i % 3], {
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: 'victim@demo.test',
        password: `wrong ${i}`,
      });
      assert.equal(r.status, 400, `guess ${i + 1}`);
    }
    for (const s of servers) {
      const r = await tokenAt(s, {
        grant_type: 'password',
        client_id: 'latchkey-sdk',
        username: 'victim@demo.test',
        password: userPassword,
      });
      assert.equal(r.status, 429, `${s.url} refuses after ${PASSWORD_THROTTLE.pair.limit} guesses in all`);
    }

    delays.sort((x, y) => x - y);
    const p50 = delays[Math.floor(delays.length / 2)];
    t.diagnostic(
      `change seen on another process after: p50 ${p50.toFixed(1)} ms, max ${delays[delays.length - 1].toFixed(1)} ms (${delays.length} samples)`,
    );
  });
}
