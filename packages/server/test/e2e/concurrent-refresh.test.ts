import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { backends, createScratchDatabase, ADMIN_EMAIL, ADMIN_PASSWORD, basic } from '../helpers/harness.js';
import { startServerProcess, type ServerProcess } from '../helpers/process.js';
import { loadConfig } from '../../src/config.js';
import { openStore, migrateToLatest, Store } from '../../src/store/index.js';
import { buildServices } from '../../src/services.js';
import { bootstrap } from '../../src/bootstrap.js';
import { createApp } from '../../src/domain/clients/apps.js';
import { issueTokens } from '../../src/domain/tokens/issue.js';

/**
 * Two real server processes on one PostgreSQL database (on SQLite, which one process serves, two
 * requests to that process); the same refresh token is sent to both at once. Exactly one may win,
 * every time.
 */
for (const backend of await backends()) {
  test(`${backend === 'postgres' ? 'two server processes race' : 'two requests to the server process race'} one refresh token (${backend})`, async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-e2e-'));
    const scratch = backend === 'postgres' ? await createScratchDatabase() : undefined;
    const masterKey = randomBytes(32);
    const env: Record<string, string> = {
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_MASTER_KEY: masterKey.toString('base64'),
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      PUBLIC_URL: 'http://latchkey.test',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    };
    // Prepare the store (schema, demo tenant, an app) before the servers start.
    const config = loadConfig(env);
    const handle = openStore({ databaseUrl: config.databaseUrl, dataDir });
    await migrateToLatest(handle.db);
    const store = new Store(handle.db, handle.dialect);
    const ctx = buildServices(config, store, masterKey);
    await bootstrap(store, config);
    const tenant = (await store.tenants.bySlug('demo'))!;
    const { client, clientSecret } = await createApp(
      store,
      ctx.hasher,
      tenant,
      {
        name: 'race',
        grantTypes: ['refresh_token', 'client_credentials'],
        scopes: ['myservices'],
      },
      { type: 'system', id: null },
    );

    const servers: ServerProcess[] = [];
    t.after(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await handle.close();
      await scratch?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    servers.push(await startServerProcess(env));
    // A second process on a SQLite data directory is refused at start-up.
    servers.push(backend === 'postgres' ? await startServerProcess(env) : servers[0]);

    const refresh = (server: ServerProcess, rt: string) =>
      fetch(`${server.url}/t/demo/oauth2/v1/token`, {
        method: 'POST',
        headers: {
          authorization: basic(client.clientId, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt }),
      });

    // Whichever process rotates, both answers are the winner's, and the grant lives on.
    for (let round = 0; round < 20; round++) {
      const rt = (await issueTokens(ctx, tenant, { client, userId: null, scopes: ['myservices'], withRefresh: true }))
        .refresh_token!;
      const [a, b] = await Promise.all([refresh(servers[0], rt), refresh(servers[1], rt)]);
      const bodies = [await a.json(), await b.json()] as Array<Record<string, string>>;
      assert.deepEqual([a.status, b.status], [200, 200], `round ${round}: ${JSON.stringify(bodies)}`);
      assert.deepEqual(bodies[1], bodies[0], `round ${round}: the same answer to both`);
      const successors = await store.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('family_id', '=', (await store.refreshTokens.byHash(tenant.id, ctx.hasher.hash(rt)))!.familyId)
        .execute();
      assert.equal(successors.length, 2, 'one seed and exactly one successor stored');
      const next = await refresh(servers[round % 2], bodies[0].refresh_token);
      assert.equal(next.status, 200, `round ${round}: the successor works: ${await next.text()}`);
    }
  });
}
