import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../../../server/test/helpers/process.js';
import { Latchkey, type AppWithSecret, type LatchkeyOptions, type NewApp } from '../../src/index.js';

export const ADMIN_EMAIL = 'admin@sdk.test';
export const ADMIN_PASSWORD = 'sdk tests correct horse battery';

export interface SdkEnv {
  server: ServerProcess;
  /** The server's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** A scratch directory for token and config files (removed at close). */
  dir: string;
  /** The bootstrap account (platform admin and demo's domain manager), by password. */
  admin: Latchkey;
  /** A client with explicit options only (no environment, no config file). */
  client(options: LatchkeyOptions): Latchkey;
  /** A confidential application of demo, made through the management API. */
  createApp(input?: Partial<NewApp>): Promise<AppWithSecret>;
  /** Generates a .tok file for the app in the scratch directory and returns its path. */
  tokFile(app: AppWithSecret, name?: string, scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** One real Latchkey server process on SQLite for a test file, with the demo tenant bootstrapped. */
export async function startSdkEnv(): Promise<SdkEnv> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-sdk-'));
  const server = await startServerProcess({
    LATCHKEY_DATA_DIR: path.join(dir, 'data'),
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN_EMAIL,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN_PASSWORD,
    DATABASE_URL: '',
  });
  const client = (options: LatchkeyOptions) =>
    new Latchkey({ baseUrl: server.url, tenant: 'demo', env: {}, profile: false, ...options });
  const admin = client({ credentials: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  let n = 0;
  return {
    server,
    url: server.url,
    dir,
    admin,
    client,
    createApp: (input = {}) =>
      admin.apps.create({
        name: `app ${++n}`,
        grantTypes: ['refresh_token', 'client_credentials'],
        scopes: ['myservices', 'metering'],
        ...input,
      }),
    async tokFile(app, name = `app-${++n}.tok`, scopes) {
      const file = path.join(dir, name);
      await admin.apps.generateTokens(app.id, { out: file, scopes });
      return file;
    },
    async close() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fetch that counts requests to the token endpoint (and can fail on demand). */
export function countingFetch() {
  const calls: { url: string; grant?: string }[] = [];
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const grant = url.endsWith('/oauth2/v1/token')
      ? (new URLSearchParams(String(init?.body)).get('grant_type') ?? undefined)
      : undefined;
    calls.push({ url, grant });
    return fetch(input, init);
  };
  return {
    fetch: fetchImpl,
    calls,
    tokenRequests: (grant?: string) =>
      calls.filter((c) => c.grant !== undefined && (grant === undefined || c.grant === grant)).length,
  };
}

/** Files in `dir` other than the expected ones (temp and lock files must never be left behind). */
export function strayFiles(dir: string, expected: string[]): string[] {
  return fs.readdirSync(dir).filter((f) => !expected.includes(f) && f !== 'data');
}

export function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

export function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** Every string form of a value a program might log. */
export async function allRenderings(value: unknown): Promise<string> {
  const { inspect } = await import('node:util');
  const parts = [String(value), JSON.stringify(value), inspect(value, { depth: 10, showHidden: true })];
  if (value instanceof Error) parts.push(value.stack ?? '', value.message);
  return parts.join('\n');
}
