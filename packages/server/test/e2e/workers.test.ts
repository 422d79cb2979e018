import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import pg from 'pg';
import { backends, createScratchDatabase, ADMIN_EMAIL, ADMIN_PASSWORD, basic } from '../helpers/harness.js';
import { SERVER_ENTRY, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { loadConfig, parseWorkers } from '../../src/config.js';
import { openStore, migrateToLatest, Store } from '../../src/store/index.js';
import { buildServices } from '../../src/services.js';
import { bootstrap } from '../../src/bootstrap.js';
import { loadMasterKey } from '../../src/crypto/master-key.js';
import { createApp, setAppActive } from '../../src/domain/clients/apps.js';
import { LISTENER_APPLICATION_NAME } from '../../src/store/change-listener.js';
import { parsePrometheus, samples, type Sample } from '../helpers/prometheus.js';

const SYSTEM = { type: 'system' as const, id: null };

test('LATCHKEY_WORKERS is a number of processes, and more than one needs PostgreSQL', () => {
  assert.equal(parseWorkers(undefined, undefined), 1);
  assert.equal(parseWorkers('4', 'postgres://db/latchkey'), 4);
  assert.throws(
    () => parseWorkers('two', 'postgres://db/latchkey'),
    /LATCHKEY_WORKERS must be a whole number of processes from 1 to 256, got "two"/,
  );
  assert.throws(() => parseWorkers('0', 'postgres://db/latchkey'), /from 1 to 256/);
  assert.throws(() => parseWorkers('2', undefined), /LATCHKEY_WORKERS=2 needs PostgreSQL \(set DATABASE_URL\)/);
  assert.equal(parseWorkers('1', undefined), 1);
});

test('on SQLite the server refuses to start several workers, with a one-line reason', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-workers-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
      env: { ...process.env, DATABASE_URL: '', LATCHKEY_DATA_DIR: dataDir, LATCHKEY_WORKERS: '2', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.equal(
      err.trim(),
      'Latchkey cannot start: LATCHKEY_WORKERS=2 needs PostgreSQL (set DATABASE_URL): the embedded SQLite database is served by one process',
    );
    assert.equal(fs.existsSync(path.join(dataDir, 'latchkey.db')), false, 'nothing was created');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

if ((await backends()).includes('postgres')) {
  test('LATCHKEY_WORKERS=2 on PostgreSQL: two workers behind one port, each hearing the changes (postgres)', async (t) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-workers-'));
    const scratch = await createScratchDatabase();
    const env: Record<string, string> = {
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      PUBLIC_URL: 'http://latchkey.test',
      DATABASE_URL: scratch.url,
      LATCHKEY_WORKERS: '2',
      METRICS_TOKEN: 'scrape-token',
    };
    const admin = new pg.Client({ connectionString: scratch.url });
    let server: ServerProcess | undefined;
    let handle: ReturnType<typeof openStore> | undefined;
    t.after(async () => {
      await server?.stop();
      await admin.end().catch(() => {});
      await handle?.close();
      await scratch.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    // No LATCHKEY_MASTER_KEY: the primary makes the key file once and every worker reads it.
    server = await startServerProcess(env);
    await admin.connect();
    const listening = async () =>
      (
        await admin.query(
          'select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        )
      ).rows[0].n as number;
    for (let i = 0; i < 100 && (await listening()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await listening(), 2, 'one listening connection per worker');
    assert.equal(
      (server.output().match(/Latchkey is initialised/g) ?? []).length,
      1,
      'initialised once, by the primary',
    );

    const config = loadConfig(env);
    handle = openStore({ databaseUrl: scratch.url, dataDir });
    await migrateToLatest(handle.db);
    const store = new Store(handle.db, handle.dialect);
    await bootstrap(store, config);
    const ctx = buildServices(config, store, loadMasterKey(undefined, dataDir));
    const tenant = (await store.tenants.bySlug('demo'))!;
    const { client, clientSecret } = await createApp(
      store,
      ctx.hasher,
      tenant,
      { name: 'workers', grantTypes: ['client_credentials'], scopes: ['myservices'] },
      SYSTEM,
    );
    // A new connection per request: the primary deals connections to the workers in turn.
    const cc = () =>
      new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${server!.url}/t/demo/oauth2/v1/token`,
          {
            method: 'POST',
            agent: false,
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              authorization: basic(client.clientId, clientSecret),
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          },
        );
        req.setTimeout(5000, () => req.destroy(new Error('no answer within 5 s')));
        req.on('error', reject);
        req.end('grant_type=client_credentials');
      });
    // GET /metrics on either worker answers both workers' series, each labelled with its worker.
    const scrape = () =>
      new Promise<Sample[]>((resolve, reject) => {
        http
          .get(`${server!.url}/metrics`, { agent: false, headers: { authorization: 'Bearer scrape-token' } }, (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () =>
              res.statusCode === 200 ? resolve(parsePrometheus(body)) : reject(new Error(`${res.statusCode} ${body}`)),
            );
          })
          .on('error', reject);
      });
    // Both workers cache the client: the primary hands connections only to workers already
    // listening, so the first ones may all go to one (under load a worker's start-up, compiling
    // TypeScript through tsx, can take many seconds); go on until both have issued tokens.
    // The primary deals connections in turn, so one token request then one scrape would send
    // every token request to the same worker: scrape after every third request instead.
    let issuedCount = 0;
    const bothBy = Date.now() + 60_000;
    for (;;) {
      assert.equal(await cc(), 200);
      issuedCount++;
      if (issuedCount >= 6 && issuedCount % 3 === 0) {
        const workers = new Set(
          samples(await scrape(), 'latchkey_tokens_issued_total', { grant: 'client_credentials' }).map(
            (x) => x.labels.worker,
          ),
        );
        if (workers.has('1') && workers.has('2')) break;
      }
      assert.ok(Date.now() < bothBy, `both workers answer within 60 s:\n${server!.output().slice(-3000)}`);
    }
    await setAppActive(store, tenant, client.id, false, SYSTEM);
    const deadline = Date.now() + 1000;
    while ((await cc()) !== 401) assert.ok(Date.now() < deadline, 'deactivation seen within 1 s');
    for (let i = 0; i < 6; i++) assert.equal(await cc(), 401, 'by every worker');

    const sum = (m: Sample[], name: string, labels: Record<string, string>) =>
      samples(m, name, labels).reduce((n, x) => n + x.value, 0);
    for (let i = 0; i < 2; i++) {
      const m = await scrape();
      const issued = samples(m, 'latchkey_tokens_issued_total', { grant: 'client_credentials' });
      assert.deepEqual(issued.map((x) => x.labels.worker).sort(), ['1', '2'], 'both workers, by worker');
      assert.equal(sum(m, 'latchkey_tokens_issued_total', { grant: 'client_credentials' }), issuedCount);
      assert.ok(sum(m, 'latchkey_token_refusals_total', { grant: 'client_credentials', error: 'invalid_client' }) >= 7);
      for (const worker of ['1', '2']) {
        // The deactivation was made by another process: each worker heard it as a notification, with its lag.
        assert.ok(
          sum(m, 'latchkey_changes_received_total', { worker, type: 'client.changed', source: 'remote' }) >= 1,
          `worker ${worker} heard the change`,
        );
        assert.ok(sum(m, 'latchkey_change_notification_lag_seconds_count', { worker }) >= 1);
        assert.equal(samples(m, 'latchkey_db_pool_connections', { worker }).length, 1);
        // The request histogram, read from each worker's own counts, is merged per worker too.
        const token = { worker, route: '/t/:tenant/oauth2/v1/token', grant: 'client_credentials' };
        const answered = sum(m, 'latchkey_http_requests_total', token);
        assert.ok(answered >= 1, `worker ${worker} answered token requests`);
        assert.equal(sum(m, 'latchkey_http_request_duration_seconds_count', token), answered);
        assert.equal(sum(m, 'latchkey_http_request_duration_seconds_bucket', { ...token, le: '+Inf' }), answered);
      }
    }

    // A worker that dies is replaced.
    const workerPids = () =>
      execFileSync('ps', ['-o', 'pid=', '--ppid', String(server!.child.pid)], { encoding: 'utf8' })
        .split('\n')
        .map((l) => Number(l.trim()))
        .filter((n) => n > 0);
    const [first, second] = workerPids();
    assert.ok(first && second, 'two worker processes');
    process.kill(first, 'SIGKILL');
    for (
      let i = 0;
      i < 100 && !(workerPids().length === 2 && !workerPids().includes(first) && (await listening()) === 2);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(workerPids().length, 2, 'replaced');
    assert.ok(!workerPids().includes(first));
    assert.equal(await listening(), 2, 'the new worker listens for changes too');
    for (let i = 0; i < 6; i++) assert.equal(await cc(), 401, 'and knows the client is deactivated');

    server.child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server!.child.once('exit', resolve));
    assert.equal(code, 0);
    for (let i = 0; i < 50 && (await listening()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await listening(), 0, 'the workers stopped with the primary');
  });
}
