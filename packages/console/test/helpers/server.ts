import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../../../server/test/helpers/process.js';

export const ADMIN = { email: 'admin@demo.test', password: 'correct horse battery staple' };

export interface Latchkey extends ServerProcess {
  token(email: string, password: string): Promise<string>;
  /** A management-API call with a bearer token; answers status and JSON body. */
  api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** client_credentials with HTTP Basic: status and JSON body. */
  clientCredentials(clientId: string, secret: string): Promise<{ status: number; body: any }>;
  /** Invites a user with a password and the named built-in roles. */
  invite(
    adminToken: string,
    email: string,
    builtinRoles: string[],
  ): Promise<{ id: string; email: string; password: string }>;
}

/**
 * A real Latchkey process on a fresh SQLite store, bootstrapped with ADMIN; it serves the built
 * console. `env` adds settings (PORT and PUBLIC_URL, say).
 */
export async function startLatchkey(env: Record<string, string> = {}): Promise<Latchkey> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-console-'));
  const server = await startServerProcess({
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_BOOTSTRAP_EMAIL: ADMIN.email,
    LATCHKEY_BOOTSTRAP_PASSWORD: ADMIN.password,
    ...env,
  });
  const json = async (res: Response) => ({ status: res.status, body: res.status === 204 ? null : await res.json() });
  const base = `${server.url}/t/demo`;
  const self: Latchkey = {
    ...server,
    stop: async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async token(email, password) {
      const r = await json(
        await fetch(`${base}/oauth2/v1/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'password', client_id: 'latchkey-sdk', username: email, password }),
        }),
      );
      if (r.status !== 200) throw new Error(`password grant: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.access_token;
    },
    async api(token, method, p, body) {
      return json(
        await fetch(`${base}/api/v1${p}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        }),
      );
    },
    async clientCredentials(clientId, secret) {
      return json(
        await fetch(`${base}/oauth2/v1/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        }),
      );
    },
    async invite(adminToken, email, builtinRoles) {
      const roles = (await self.api(adminToken, 'GET', '/roles')).body.items as {
        id: string;
        builtin: string | null;
      }[];
      const password = `pw-${email}-long enough`;
      const r = await self.api(adminToken, 'POST', '/users', {
        email,
        displayName: email.split('@')[0],
        password,
        roleIds: roles.filter((x) => x.builtin && builtinRoles.includes(x.builtin)).map((x) => x.id),
      });
      if (r.status !== 201) throw new Error(`invite ${email}: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.id, email, password };
    },
  };
  return self;
}
