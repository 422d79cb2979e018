import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ADMIN_EMAIL, ADMIN_PASSWORD, basic } from '../helpers/harness.js';
import { SERVER_ENTRY, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { parsePrometheus, samples } from '../helpers/prometheus.js';
import { openStore, Store } from '../../src/store/index.js';
import { Sealer } from '../../src/crypto/master-key.js';
import { SecretHasher } from '../../src/crypto/secrets.js';
import { setAppActive } from '../../src/domain/clients/apps.js';
import { LISTENER_APPLICATION_NAME } from '../../src/store/change-listener.js';

/**
 * The database goes away under load and comes back: the server stays up, answers 503 with
 * Retry-After meanwhile (never 500, never a hang), and serves again without a restart, with every
 * acknowledged rotation kept and change notifications heard again. One process and two workers
 * (LATCHKEY_WORKERS=2) go through the same restart side by side, each on its own database of a
 * private PostgreSQL server (the machine's shared one is never stopped).
 */

const OUTAGE_MS = 2000; // the database is fully down this long (besides its own stop and start)
const LOOPS = 3; // concurrent refresh chains per deployment, with a client_credentials request between rotations
const PAUSE_MS = 20; // between one loop's requests: bounded load
const MAX_REQUESTS = 1000; // per loop, whatever happens
const LOAD_FOR_MS = 30_000; // per loop, whatever happens
const ANSWER_WITHIN_MS = 10_000; // no request may take longer, outage or not
const BACK_WITHIN_MS = 10_000; // from the database accepting connections to a refresh answered 200

const bin = postgresBinDir();
if (!bin && process.env.CI)
  throw new Error('PostgreSQL server programs are required on CI (/usr/lib/postgresql/*/bin)');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One request on its own connection (with several workers, the primary deals connections in turn). */
function call(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: text, ms: performance.now() - started }),
      );
    });
    req.setTimeout(ANSWER_WITHIN_MS, () =>
      req.destroy(new Error(`${method} ${url}: no answer within ${ANSWER_WITHIN_MS} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}

const json = (a: Answer) => JSON.parse(a.body) as Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

type Kind = 'refresh' | 'cc';
interface Logged {
  kind: Kind;
  at: number;
  status: number;
  error?: string;
  retryAfter?: string;
  ms: number;
}

/** One Latchkey (one process, or a primary with workers) on its own database, under its own load. */
class Deployment {
  readonly log: Logged[] = [];
  readonly probes: { what: string; status: number; ms: number }[] = [];
  /** Each chain holds the last refresh token it was answered (200) for. */
  chains: { current: string; acknowledged: number }[] = [];
  private loading = false;
  private loops: Promise<void>[] = [];
  private app!: { id: string; clientId: string; clientSecret: string };
  private bearer = '';
  private pidsBefore: number[] = [];
  server?: ServerProcess;

  readonly name: string;
  readonly masterKey = randomBytes(32);
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-restart-'));
  databaseUrl = '';

  constructor(readonly workers: number) {
    this.name = workers === 1 ? 'one process' : `${workers} workers`;
  }

  /** Starts the server on a new database and prepares the load's client and refresh chains. */
  async start(pgServer: PrivatePostgres): Promise<void> {
    this.databaseUrl = await pgServer.createDatabase(`latchkey_restart_${this.workers}`);
    this.server = await startServerProcess({
      LATCHKEY_DATA_DIR: this.dataDir,
      LATCHKEY_MASTER_KEY: this.masterKey.toString('base64'),
      LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
      LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
      PUBLIC_URL: 'http://latchkey.test',
      DATABASE_URL: this.databaseUrl,
      LATCHKEY_WORKERS: String(this.workers),
      METRICS_TOKEN: 'scrape',
    });
    await this.untilListening();
    this.pidsBefore = this.pids();
    assert.equal(this.pidsBefore.length, this.workers);
    this.bearer = (await this.password()).access_token;
    const created = await this.api('POST', '/apps', {
      name: 'restart load',
      grantTypes: ['client_credentials'],
      scopes: ['myservices'],
    });
    assert.equal(created.status, 201, created.body);
    this.app = json(created) as typeof this.app;
    this.chains = await Promise.all(
      Array.from({ length: LOOPS }, async () => ({ current: (await this.password()).refresh_token, acknowledged: 0 })),
    );
  }

  private get base(): string {
    return `${this.server!.url}/t/demo`;
  }

  token(params: Record<string, string>, auth?: string): Promise<Answer> {
    return call(
      `${this.base}/oauth2/v1/token`,
      'POST',
      { ...FORM, ...(auth ? { authorization: auth } : {}) },
      new URLSearchParams(params).toString(),
    );
  }

  async password(): Promise<{ access_token: string; refresh_token: string }> {
    const a = await this.token({
      grant_type: 'password',
      client_id: 'latchkey-sdk',
      username: ADMIN_EMAIL,
      password: ADMIN_PASSWORD,
    });
    assert.equal(a.status, 200, a.body);
    return json(a) as { access_token: string; refresh_token: string };
  }

  refresh(rt: string): Promise<Answer> {
    return this.token({ grant_type: 'refresh_token', client_id: 'latchkey-sdk', refresh_token: rt });
  }

  cc(): Promise<Answer> {
    return this.token({ grant_type: 'client_credentials' }, basic(this.app.clientId, this.app.clientSecret));
  }

  api(method: string, url: string, body?: object): Promise<Answer> {
    return call(
      `${this.base}/api/v1${url}`,
      method,
      { authorization: `Bearer ${this.bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body ? JSON.stringify(body) : undefined,
    );
  }

  /** The server processes: the one process, or the primary's workers (not tsx's esbuild helper). */
  pids(): number[] {
    if (this.workers === 1) return [this.server!.child.pid!];
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(this.server!.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(SERVER_ENTRY))
      .map((l) => Number(l.trim().split(/\s+/)[0]))
      .sort();
  }

  /** LISTEN connections on this deployment's database. */
  async listening(): Promise<number> {
    const c = new pg.Client({ connectionString: this.databaseUrl });
    c.on('error', () => {});
    await c.connect();
    try {
      return (
        await c.query(
          'select count(*)::int as n from pg_stat_activity where application_name = $1 and datname = current_database()',
          [LISTENER_APPLICATION_NAME],
        )
      ).rows[0].n as number;
    } finally {
      await c.end();
    }
  }

  async untilListening(): Promise<void> {
    for (let i = 0; i < 300 && (await this.listening()) < this.workers; i++) await sleep(100);
    assert.equal(await this.listening(), this.workers, `${this.name}: every server process listens for changes`);
  }

  /** Bounded load: each loop rotates its chain and asks a client_credentials token, in turn. */
  startLoad(): void {
    this.loading = true;
    const until = Date.now() + LOAD_FOR_MS;
    this.loops = this.chains.map(async (chain) => {
      for (let n = 0; this.loading && n < MAX_REQUESTS && Date.now() < until; n++) {
        const kind: Kind = n % 2 === 0 ? 'refresh' : 'cc';
        let a: Answer;
        try {
          a = kind === 'refresh' ? await this.refresh(chain.current) : await this.cc();
        } catch (err) {
          // No answer at all (the process died, or took longer than the bound): recorded, and the loop ends.
          this.log.push({ kind, at: Date.now(), status: 0, error: (err as Error).message, ms: ANSWER_WITHIN_MS });
          return;
        }
        const body = a.status === 200 ? undefined : json(a);
        this.log.push({
          kind,
          at: Date.now(),
          status: a.status,
          error: body?.error as string | undefined,
          retryAfter: a.headers['retry-after'],
          ms: a.ms,
        });
        if (kind === 'refresh' && a.status === 200) {
          chain.current = (json(a) as { refresh_token: string }).refresh_token;
          chain.acknowledged++;
        }
        await sleep(PAUSE_MS);
      }
    });
  }

  async stopLoad(): Promise<void> {
    this.loading = false;
    await Promise.all(this.loops);
  }

  /** While the database is down: alive, not ready, and every endpoint that needs it says to retry. */
  async probeOutage(): Promise<void> {
    const probe = async (what: string, a: Promise<Answer>) => {
      const r = await a;
      this.probes.push({ what, status: r.status, ms: r.ms });
      return r;
    };
    const url = this.server!.url;
    assert.equal(
      (await probe('healthz', call(`${url}/healthz`, 'GET'))).status,
      200,
      `${this.name}: /healthz stays up`,
    );
    const ready = await probe('readyz', call(`${url}/readyz`, 'GET'));
    assert.equal(ready.status, 503, `${this.name}: /readyz is not ready: ${ready.body}`);
    const t = await probe('refresh', this.refresh(this.chains[0].current));
    assert.equal(t.status, 503, t.body);
    assert.deepEqual(
      { error: json(t).error, retryAfter: t.headers['retry-after'], cacheControl: t.headers['cache-control'] },
      { error: 'temporarily_unavailable', retryAfter: '2', cacheControl: 'no-store' },
    );
    const m = await probe('api', this.api('GET', '/apps'));
    assert.equal(m.status, 503, m.body);
    assert.equal(m.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(m.headers['retry-after'], '2');
    assert.deepEqual(json(m), {
      type: 'https://latchkey.dev/problems/store-unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The server cannot reach its database right now; retry after 2 seconds',
      code: 'store_unavailable',
    });
  }

  /** Milliseconds from `backAt` to the first refresh answered 200. */
  async firstOkSince(backAt: number): Promise<number> {
    const chain = this.chains[0];
    for (;;) {
      const r = await this.refresh(chain.current);
      if (r.status === 200) {
        chain.current = (json(r) as { refresh_token: string }).refresh_token;
        chain.acknowledged++;
        return Date.now() - backAt;
      }
      assert.equal(r.status, 503, r.body);
      assert.ok(
        Date.now() - backAt < BACK_WITHIN_MS,
        `${this.name}: a refresh answered 200 within ${BACK_WITHIN_MS} ms of the database's return`,
      );
      await sleep(50);
    }
  }

  async untilReady(): Promise<void> {
    for (let i = 0; i < 100 && (await call(`${this.server!.url}/readyz`, 'GET')).status !== 200; i++) await sleep(100);
    assert.equal((await call(`${this.server!.url}/readyz`, 'GET')).status, 200, `${this.name}: /readyz is ready again`);
  }

  /** After the restart: same processes, only 200 or 503 answered in time, nothing acknowledged lost. */
  async verify(stopAt: number, backAt: number): Promise<void> {
    const out = () => this.server!.output().slice(-3000);
    assert.equal(this.server!.child.exitCode, null, `${this.name}: the server is running:\n${out()}`);
    assert.deepEqual(
      this.pids(),
      this.pidsBefore,
      `${this.name}: the same server processes (none died and was replaced):\n${out()}`,
    );
    assert.doesNotMatch(this.server!.output(), /Unhandled|uncaught|a worker stopped/i);
    // The outage was told once per process, and its end too; never a 500 per request.
    assert.equal((this.server!.output().match(/the database is unreachable/g) ?? []).length, this.workers, out());
    assert.equal((this.server!.output().match(/the database answers again/g) ?? []).length, this.workers, out());
    assert.doesNotMatch(this.server!.output(), /unhandled error/);

    for (const e of this.log) {
      assert.ok(e.status === 200 || e.status === 503, `${this.name}: ${e.kind} answered ${e.status} ${e.error ?? ''}`);
      if (e.status === 503)
        assert.deepEqual(
          { error: e.error, retryAfter: e.retryAfter },
          { error: 'temporarily_unavailable', retryAfter: '2' },
        );
      assert.ok(e.ms < ANSWER_WITHIN_MS);
    }
    assert.ok(
      this.log.some((e) => e.at < stopAt && e.kind === 'refresh' && e.status === 200),
      `${this.name}: the load was served before the restart`,
    );
    assert.ok(
      this.log.some((e) => e.at >= stopAt && e.at < backAt && e.kind === 'refresh' && e.status === 503),
      `${this.name}: the load met the outage`,
    );

    // No acknowledged rotation was lost, and none refused during the outage counts as reuse when retried.
    for (const chain of this.chains) {
      const r = await this.refresh(chain.current);
      assert.equal(r.status, 200, `${this.name}: the last acknowledged refresh token of a chain works: ${r.body}`);
      chain.current = (json(r) as { refresh_token: string }).refresh_token;
    }
    const db = new pg.Client({ connectionString: this.databaseUrl });
    await db.connect();
    try {
      assert.equal(
        (await db.query('select count(*)::int as n from refresh_tokens where revoked_at is not null')).rows[0].n,
        0,
        'no grant was revoked',
      );
      assert.equal(
        (await db.query("select count(*)::int as n from audit_events where action = 'refresh_token.reuse_detected'"))
          .rows[0].n,
        0,
        'no reuse detected',
      );
      const hasher = new SecretHasher(new Sealer(this.masterKey).pepper);
      for (const chain of this.chains) {
        const row = await db.query('select rotated_at, revoked_at from refresh_tokens where token_hash = $1', [
          hasher.hash(chain.current),
        ]);
        assert.deepEqual(
          row.rows,
          [{ rotated_at: null, revoked_at: null }],
          'the newest token of each chain is stored, live',
        );
      }
    } finally {
      await db.end();
    }

    // Change notifications are heard again: a change made by another process reaches every worker.
    await this.untilListening();
    const heard = async () => {
      const m = await call(`${this.server!.url}/metrics`, 'GET', { authorization: 'Bearer scrape' });
      assert.equal(m.status, 200);
      const s = samples(parsePrometheus(m.body), 'latchkey_changes_received_total', {
        type: 'client.changed',
        source: 'remote',
      });
      return new Map(s.map((x) => [x.labels.worker ?? '1', x.value]));
    };
    const heardBefore = await heard();
    const handle = openStore({ databaseUrl: this.databaseUrl, dataDir: this.dataDir });
    try {
      const store = new Store(handle.db, handle.dialect);
      await setAppActive(store, (await store.tenants.bySlug('demo'))!, this.app.id, false, {
        type: 'system',
        id: null,
      });
    } finally {
      await handle.close();
    }
    const deadline = Date.now() + 1000;
    for (let refusals = 0; refusals < 2 * this.workers;) {
      if ((await this.cc()).status === 401) refusals++;
      else
        assert.ok(
          Date.now() < deadline,
          `${this.name}: the deactivation made by another process is refused within 1 s`,
        );
    }
    const workers = Array.from({ length: this.workers }, (_, i) => String(i + 1));
    for (let i = 0; ; i++) {
      const now = await heard();
      if (workers.every((w) => (now.get(w) ?? 0) > (heardBefore.get(w) ?? 0))) break;
      assert.ok(i < 20, `${this.name}: every process heard the change as a notification`);
      await sleep(100);
    }
  }

  report(stopAt: number, downAt: number, backAt: number, firstOkMs: number): string {
    const during = this.log.filter((e) => e.at >= stopAt && e.at < backAt);
    const n = (list: Logged[], status: number) => list.filter((e) => e.status === status).length;
    return (
      `[${this.name}] first refresh 200 ${firstOkMs} ms after the database accepted connections; ` +
      `load ${this.log.length} requests (${n(this.log, 200)} × 200, ${n(this.log, 503)} × 503), ` +
      `${during.length} of them from the stop to the start (${n(during, 200)} × 200, ${n(during, 503)} × 503); ` +
      `outage probes ${this.probes.length} (${this.probes.filter((p) => p.status === 503).length} × 503, ${this.probes.filter((p) => p.status === 200).length} × 200 /healthz); ` +
      `slowest answer ${Math.round(Math.max(...this.log.map((e) => e.ms), ...this.probes.map((p) => p.ms)))} ms; ` +
      `acknowledged rotations ${this.chains.reduce((x, c) => x + c.acknowledged, 0)}`
    );
  }

  async close(): Promise<void> {
    await this.stopLoad();
    await this.server?.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

test(
  'PostgreSQL restarted under load: one process and LATCHKEY_WORKERS=2 stay up, answer 503 meanwhile, serve again at once',
  {
    skip: !bin && 'PostgreSQL server programs not installed',
    timeout: 120_000,
  },
  async (t) => {
    const pgServer = await startPrivatePostgres();
    // Known before they start, so a failure while one starts still stops the other.
    const deployments = [new Deployment(1), new Deployment(2)];
    t.after(async () => {
      await Promise.all(deployments.map((d) => d.close()));
      await pgServer.destroy();
    });
    try {
      await Promise.all(deployments.map((d) => d.start(pgServer)));
      for (const d of deployments) d.startLoad();
      await sleep(1000);

      const stopAt = Date.now();
      await pgServer.stop();
      const downAt = Date.now();
      while (Date.now() - downAt < OUTAGE_MS) {
        await Promise.all(deployments.map((d) => d.probeOutage()));
        await sleep(100);
      }
      await pgServer.start();
      const backAt = Date.now();
      const firstOk = await Promise.all(deployments.map((d) => d.firstOkSince(backAt)));
      await Promise.all(deployments.map((d) => d.untilReady()));
      await sleep(1000);
      await Promise.all(deployments.map((d) => d.stopLoad()));

      for (const d of deployments) await d.verify(stopAt, backAt);
      t.diagnostic(`PostgreSQL stop took ${downAt - stopAt} ms, down ${backAt - downAt} ms`);
      deployments.forEach((d, i) => t.diagnostic(d.report(stopAt, downAt, backAt, firstOk[i])));
    } catch (err) {
      // What the servers said tells why.
      for (const d of deployments)
        console.error(`--- ${d.name}: server output (end) ---\n${d.server?.output().slice(-4000)}`);
      throw err;
    }
  },
);
