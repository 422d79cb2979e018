import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { backends, createTestServer, form, hasRedis, REDIS_TEST_URL } from '../helpers/harness.js';
import { buildServices } from '../../src/services.js';
import { buildApp } from '../../src/app.js';
import { createUser } from '../../src/domain/users/service.js';
import { SYSTEM } from '../../src/domain/audit/actor.js';
import { PASSWORD_THROTTLE } from '../../src/domain/throttle/policies.js';

const PASSWORD = 'a long enough password';
const kinds = [
  ...((await backends()).includes('postgres') ? [{ name: 'PostgreSQL', env: {} }] : []),
  ...((await hasRedis()) ? [{ name: 'Redis', env: { REDIS_URL: REDIS_TEST_URL } }] : []),
];

/**
 * Three servers (each with its own context: caches and throttle store, as three processes have)
 * on one database: guesses spread over them are counted together.
 */
for (const kind of kinds) {
  test(`the credential throttle is shared by every process (${kind.name})`, async (t) => {
    const s = await createTestServer('postgres', kind.env);
    const apps: FastifyInstance[] = [s.app];
    t.after(async () => {
      for (const app of apps.slice(1)) {
        await app.close();
      }
      await s.close();
    });
    for (let i = 0; i < 2; i++) {
      const ctx = buildServices(s.config, s.store, s.masterKey);
      const app = await buildApp(ctx);
      app.addHook('onClose', async () => {
        await ctx.usage.close();
        await ctx.throttle.store.close?.();
      });
      await app.ready();
      apps.push(app);
    }
    const tenant = (await s.store.tenants.bySlug('demo'))!;
    const password = (app: FastifyInstance, ip: string, username: string, pw: string) =>
      app.inject({
        method: 'POST',
        url: '/t/demo/oauth2/v1/token',
        remoteAddress: ip,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form({ grant_type: 'password', client_id: 'latchkey-sdk', username, password: pw }),
      });

    await t.test('guesses from one address, spread over three processes, lock at the count of one', async () => {
      await createUser(
        s.store,
        tenant,
        { email: 'victim@demo.test', displayName: 'Victim', password: PASSWORD },
        SYSTEM,
      );
      const ip = '198.51.100.70';
      for (let i = 0; i < PASSWORD_THROTTLE.pair.limit; i++) {
        const r = await password(apps[i % 3], ip, 'victim@demo.test', `wrong ${i}`);
        assert.equal(r.json().error, 'invalid_grant', `guess ${i + 1}: ${r.body}`);
      }
      for (const app of apps) {
        const r = await password(app, ip, 'victim@demo.test', PASSWORD);
        assert.equal(r.statusCode, 429, 'every process refuses, even the right password');
        assert.ok(Number(r.headers['retry-after']) > 0);
      }
    });

    await t.test('an owner signed in at one process stays known at the others', async () => {
      await createUser(s.store, tenant, { email: 'owner@demo.test', displayName: 'Owner', password: PASSWORD }, SYSTEM);
      const home = '203.0.113.70';
      assert.equal((await password(apps[0], home, 'owner@demo.test', PASSWORD)).statusCode, 200);
      for (let i = 0; i < PASSWORD_THROTTLE.subject!.limit; i++) {
        assert.equal(
          (await password(apps[i % 3], `198.18.7.${i + 1}`, 'owner@demo.test', `wrong ${i}`)).statusCode,
          400,
        );
      }
      assert.equal(
        (await password(apps[1], '198.18.8.1', 'owner@demo.test', PASSWORD)).statusCode,
        429,
        'a new address is stopped',
      );
      assert.equal(
        (await password(apps[2], home, 'owner@demo.test', PASSWORD)).statusCode,
        200,
        'the known address is not',
      );
    });
  });
}
