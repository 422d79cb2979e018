import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/harness.js';
import { freePort, startServerProcess, type ServerProcess } from '../helpers/process.js';
import { loadConfig } from '../../src/config.js';
import { openStore, migrateToLatest, Store, type StoreHandle } from '../../src/store/index.js';
import { buildServices, type Services } from '../../src/services.js';
import { bootstrap } from '../../src/bootstrap.js';
import { createApp, type NewApp } from '../../src/domain/clients/apps.js';
import { issueTokens } from '../../src/domain/tokens/issue.js';
import type { Tenant } from '../../src/domain/tenants/model.js';
import type { Client } from '../../src/domain/clients/model.js';

export const SAMPLE_AUDIENCE = 'urn:latchkey:sample-api';

export interface InteropEnv {
  /** The first real server process; its PUBLIC_URL equals its real URL, so metadata issuers match. */
  server: ServerProcess;
  /** `${server.url}/t/demo` */
  issuer: string;
  /** A store-side context on the same SQLite file and master key as the server process. */
  services: Services;
  store: Store;
  tenant: Tenant;
  client: Client;
  clientId: string;
  clientSecret: string;
  /** A fresh refresh token of the confidential app (a new family), seeded store-side. */
  seedRefreshToken(scopes?: string[]): Promise<string>;
  /** Another confidential app of tenant demo, created store-side (the server loads it on first use). */
  createApp(input: NewApp): Promise<{ client: Client; clientId: string; clientSecret: string }>;
  /** Another store-side context on the same store and master key whose issuer base is publicUrl. */
  contextFor(publicUrl: string): Promise<Services>;
  /**
   * Another server process, started now on a copy of the store as it is now (same master key): one
   * process serves a SQLite data directory. Its PUBLIC_URL equals its own URL.
   */
  startOnCopy(): Promise<ServerProcess>;
  close(): Promise<void>;
}

/**
 * Starts a real server process on a port chosen here, with PUBLIC_URL set to that exact URL, so the
 * issuer in its metadata and tokens is the URL clients really use.
 */
export async function startServerOnOwnPort(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess({ ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
}

/**
 * One SQLite store prepared in-process (schema, demo tenant, a confidential app with client_credentials
 * and refresh_token, the tenant's first signing key), then a real server process started on it.
 */
export async function startInteropEnv(): Promise<InteropEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-interop-'));
  const masterKey = randomBytes(32);
  const baseEnv: Record<string, string> = {
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_MASTER_KEY: masterKey.toString('base64'),
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
    DATABASE_URL: '', // SQLite in dataDir, even if the caller's environment names a PostgreSQL server
  };
  const config = loadConfig({ ...baseEnv, PUBLIC_URL: 'http://store-side.invalid' });
  const handle: StoreHandle = openStore({ databaseUrl: config.databaseUrl, dataDir });
  const servers: ServerProcess[] = [];
  const copies: string[] = [];
  let ctx: Services | undefined;
  const extraContexts: Services[] = [];
  const close = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await ctx?.usage.close();
    for (const c of extraContexts) await c.usage.close();
    await handle.close();
    for (const dir of [dataDir, ...copies]) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await migrateToLatest(handle.db);
    const store = new Store(handle.db, handle.dialect);
    ctx = buildServices(config, store, masterKey);
    await bootstrap(store, config);
    const tenant = (await store.tenants.bySlug('demo'))!;
    // Create the tenant's signing key here, before any server process could race to create one.
    await ctx.keys.active(tenant);
    const { client, clientSecret } = await createApp(
      store,
      ctx.hasher,
      tenant,
      {
        name: 'interop',
        grantTypes: ['client_credentials', 'refresh_token'],
        scopes: ['myservices', 'metering'],
      },
      { type: 'system', id: null },
    );

    const server = await startServerOnOwnPort(baseEnv);
    servers.push(server);
    const c = ctx;
    return {
      server,
      issuer: `${server.url}/t/demo`,
      services: ctx,
      store,
      tenant,
      client,
      clientId: client.clientId,
      clientSecret,
      async seedRefreshToken(scopes = ['metering', 'myservices']) {
        const r = await issueTokens(c, tenant, { client, userId: null, scopes, withRefresh: true });
        return r.refresh_token!;
      },
      async createApp(input: NewApp) {
        const made = await createApp(store, c.hasher, tenant, input, { type: 'system', id: null });
        return { client: made.client, clientId: made.client.clientId, clientSecret: made.clientSecret };
      },
      async contextFor(publicUrl: string) {
        const other = buildServices(loadConfig({ ...baseEnv, PUBLIC_URL: publicUrl }), store, masterKey);
        extraContexts.push(other);
        return other;
      },
      async startOnCopy() {
        const copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-interop-copy-'));
        copies.push(copyDir);
        // A consistent snapshot, the write-ahead log included.
        await sql`vacuum into ${path.join(copyDir, 'latchkey.db')}`.execute(handle.db);
        const s = await startServerOnOwnPort({ ...baseEnv, LATCHKEY_DATA_DIR: copyDir });
        servers.push(s);
        return s;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Decodes a JWT's protected header and payload without verifying (for assertions only). */
export function peekJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')),
  };
}
