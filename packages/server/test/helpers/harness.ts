import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { openStore, migrateToLatest, Store, type StoreHandle } from '../../src/store/index.js';
import { buildServices, type Services } from '../../src/services.js';
import { buildApp } from '../../src/app.js';
import { bootstrap } from '../../src/bootstrap.js';
import { PgChangeListener } from '../../src/store/change-listener.js';

export type Backend = 'sqlite' | 'postgres';

export const PG_ADMIN_URL = process.env.LATCHKEY_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_TEST_URL = process.env.LATCHKEY_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const ADMIN_EMAIL = 'admin@demo.test';
export const ADMIN_PASSWORD = 'correct horse battery staple';

let pgAvailable: Promise<boolean> | undefined;

async function checkPg(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (err) {
    if (process.env.CI)
      throw new Error(`PostgreSQL is required on CI but unreachable at ${PG_ADMIN_URL}: ${(err as Error).message}`, {
        cause: err,
      });
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

let redisAvailable: Promise<boolean> | undefined;

/** Whether the shared throttle can be tested on Redis: when it is reachable (always on CI). */
export function hasRedis(): Promise<boolean> {
  redisAvailable ??= (async () => {
    const redis = new Redis(REDIS_TEST_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: 3000,
    });
    redis.on('error', () => {});
    try {
      await redis.connect();
      await redis.ping();
      return true;
    } catch (err) {
      if (process.env.CI)
        throw new Error(`Redis is required on CI but unreachable at ${REDIS_TEST_URL}: ${(err as Error).message}`, {
          cause: err,
        });
      return false;
    } finally {
      redis.disconnect();
    }
  })();
  return redisAvailable;
}

/** The back ends to run store-touching tests against: SQLite always, PostgreSQL when reachable (always on CI). */
export async function backends(): Promise<Backend[]> {
  pgAvailable ??= checkPg();
  return (await pgAvailable) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A scratch PostgreSQL database for one test app; dropped by the returned function. */
export async function createScratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lk_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestServer {
  backend: Backend;
  app: FastifyInstance;
  services: Services;
  store: Store;
  config: Config;
  dataDir: string;
  databaseUrl?: string;
  masterKey: Buffer;
  close(): Promise<void>;
}

/**
 * A fully wired server on a fresh store (bootstrapped: tenant `demo` with ADMIN_EMAIL as platform
 * admin and domain manager), driven with `app.inject()`.
 */
export async function createTestServer(backend: Backend, env: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-test-'));
  const scratch = backend === 'postgres' ? await createScratchDatabase() : undefined;
  const config = loadConfig({
    LATCHKEY_DATA_DIR: dataDir,
    PUBLIC_URL: 'http://latchkey.test',
    // Webhook receivers and identity providers in tests listen on loopback (tests of the guard turn it on).
    LATCHKEY_ALLOW_PRIVATE_OUTBOUND: '1',
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    ...env,
  });
  const handle: StoreHandle = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(handle.db);
  const store = new Store(handle.db, handle.dialect);
  const masterKey = randomBytes(32);
  const services = buildServices(config, store, masterKey);
  await bootstrap(store, config);
  const app = await buildApp(services);
  await app.ready();
  return {
    backend,
    app,
    services,
    store,
    config,
    dataDir,
    databaseUrl: scratch?.url,
    masterKey,
    async close() {
      await app.close();
      await services.usage.close();
      await services.federationUsage.close();
      await services.throttle.store.close?.();
      await services.outbound.close();
      await handle.close();
      await scratch?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Encodes a form body for OAuth endpoints. */
export function form(params: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.append(k, v);
  return p.toString();
}

export function basic(id: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
}

/**
 * What another process on the same PostgreSQL database has: its own store, change feed and change
 * listener (not started yet, so a test can look at the feed before LISTEN is in place).
 */
export function anotherProcessStore(databaseUrl: string): {
  store: Store;
  listener: PgChangeListener;
  close(): Promise<void>;
} {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-other-'));
  const handle = openStore({ databaseUrl, dataDir });
  const store = new Store(handle.db, handle.dialect);
  const listener = new PgChangeListener(databaseUrl, store.feed);
  return {
    store,
    listener,
    close: async () => {
      await listener.stop();
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
