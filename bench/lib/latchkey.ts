// Latchkey under the bench: start a server process (SQLite or PostgreSQL, 1 or N workers) and set
// up what the loads need through its real HTTP API (the bootstrap administrator's password grant,
// a confidential app, personal clients, refresh tokens).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { basic, call, field, form, FORM } from './http.js';
import { freePort, ROOT, startNode, waitForHttp, type Proc } from './processes.js';

export const TENANT_PATH = '/t/demo';
export const TOKEN_PATH = `${TENANT_PATH}/oauth2/v1/token`;
export const INTROSPECT_PATH = `${TENANT_PATH}/oauth2/v1/introspect`;

/** The node flags the `npm start` of the checkout at `root` runs the server with (its package.json). */
export function startNodeArgs(root: string): string[] {
  const start = String(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts?.start ?? '');
  const m = /\bnode ((?:--\S+\s+)*)packages\/server\/dist\/main\.js/.exec(start);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** The node flags `npm start` runs this checkout's server with: the bench measures that process. */
export const START_NODE_ARGS: string[] = startNodeArgs(ROOT);

export interface Latchkey {
  name: string;
  origin: string;
  proc: Proc;
  email: string;
  password: string;
}

export interface LatchkeyOptions {
  /** Empty: SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  workers?: number;
  /** Shared by every process on one database (it keys the secret hashes and seals the signing keys). */
  masterKey?: string;
  email?: string;
  password?: string;
  /** The server to run: its TypeScript source through tsx by default, or the build (dist/main.js). */
  script?: string;
  /** Node flags; by default those of the checkout's `npm start`. */
  nodeArgs?: string[];
  /**
   * The checkout whose server runs (this one by default): its own source, tsx and node_modules,
   * started from its directory. Only its HTTP API and environment variables are relied on.
   */
  root?: string;
}

export async function startLatchkey(name: string, o: LatchkeyOptions): Promise<Latchkey> {
  fs.mkdirSync(o.dataDir, { recursive: true });
  const email = o.email ?? 'bench@demo.latchkey.local';
  const password = o.password ?? crypto.randomBytes(18).toString('base64url');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = startNode(
    name,
    o.script ?? 'packages/server/src/main.ts',
    {
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: origin,
      LATCHKEY_DATA_DIR: o.dataDir,
      DATABASE_URL: o.databaseUrl ?? '',
      LATCHKEY_MASTER_KEY: o.masterKey ?? '',
      LATCHKEY_WORKERS: String(o.workers ?? 1),
      LATCHKEY_BOOTSTRAP_EMAIL: email,
      LATCHKEY_BOOTSTRAP_PASSWORD: password,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    [],
    o.nodeArgs ?? (o.root ? startNodeArgs(o.root) : START_NODE_ARGS),
    o.root ?? ROOT,
  );
  try {
    await waitForHttp(`${origin}/readyz`, proc, 90_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name, origin, proc, email, password };
}

/** JSON headers with a bearer token of the bootstrap administrator (password grant, SDK client). */
export async function adminHeaders(lk: Latchkey): Promise<Record<string, string>> {
  const admin = await call({
    what: `${lk.name}: password grant for the bootstrap administrator`,
    method: 'POST',
    url: lk.origin + TOKEN_PATH,
    headers: { 'content-type': FORM },
    body: form({ grant_type: 'password', client_id: 'latchkey-sdk', username: lk.email, password: lk.password }),
  });
  return {
    authorization: `Bearer ${field(admin, 'access_token', `${lk.name} password grant`)}`,
    'content-type': 'application/json',
  };
}

export interface ClientCredentials {
  id: string;
  clientId: string;
  clientSecret: string;
  headers: Record<string, string>;
}

const credentials = (id: string, clientId: string, clientSecret: string): ClientCredentials => ({
  id,
  clientId,
  clientSecret,
  headers: { 'content-type': FORM, authorization: basic(clientId, clientSecret) },
});

export async function createApp(
  lk: Latchkey,
  admin: Record<string, string>,
  name = 'bench',
): Promise<ClientCredentials> {
  const app = await call({
    what: `${lk.name}: create a confidential app`,
    method: 'POST',
    url: `${lk.origin}${TENANT_PATH}/api/v1/apps`,
    headers: admin,
    body: JSON.stringify({
      name,
      description: '',
      grantTypes: ['client_credentials', 'refresh_token'],
      scopes: ['myservices'],
    }),
  });
  const clientId = field(app, 'clientId', `${lk.name} create app`);
  return credentials(
    typeof app.id === 'string' ? app.id : clientId,
    clientId,
    field(app, 'clientSecret', `${lk.name} create app`),
  );
}

/** A personal client of the administrator: client_credentials acting as them (the documented case). */
export async function createPersonalClient(
  lk: Latchkey,
  admin: Record<string, string>,
  name: string,
): Promise<ClientCredentials> {
  const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const c = await call({
    what: `${lk.name}: create a personal client`,
    method: 'POST',
    url: `${lk.origin}${TENANT_PATH}/api/v1/me/oauth2-clients`,
    headers: admin,
    body: JSON.stringify({ name, expiresAt }),
  });
  return credentials(
    field(c, 'id', `${lk.name} personal client`),
    field(c, 'clientId', `${lk.name} personal client`),
    field(c, 'clientSecret', `${lk.name} personal client`),
  );
}

/** `n` fresh refresh tokens of the app (each from its own "generate tokens" call). */
export async function appRefreshTokens(
  lk: Latchkey,
  admin: Record<string, string>,
  app: ClientCredentials,
  n: number,
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const doc = await call({
      what: `${lk.name}: generate app tokens`,
      method: 'POST',
      url: `${lk.origin}${TENANT_PATH}/api/v1/apps/${encodeURIComponent(app.id)}/tokens`,
      headers: admin,
      body: JSON.stringify({ scopes: ['myservices'], includeRefreshToken: true }),
    });
    out.push(field(doc, 'refresh_token', `${lk.name} generate app tokens`));
  }
  return out;
}

export const CC_BODY = form({ grant_type: 'client_credentials', scope: 'myservices' });
export const PERSONAL_CC_BODY = form({ grant_type: 'client_credentials' });
