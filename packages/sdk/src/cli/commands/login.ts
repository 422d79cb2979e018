import type { Command } from 'commander';
import { Latchkey } from '../../client.js';
import { defaultConfigPath, readConfigFile, resolveSettings, updateConfigFile } from '../../config.js';
import { LatchkeyAuthError, LatchkeyConfigError } from '../../errors.js';
import { SDK_CLIENT_ID } from '../../credentials/refresh-token.js';
import { SecretSet } from '../../lib/redact.js';
import { VERSION } from '../../lib/version.js';
import { requestToken } from '../../lib/token-endpoint.js';
import { tenantEndpoints } from '../../tenant-url.js';
import { globals, type CliIO } from '../io.js';
import { CLI_WORDING } from '../wording.js';

interface LoginOptions {
  email?: string;
  password?: string;
  passwordStdin?: boolean;
}

export function registerLogin(program: Command, io: CliIO): void {
  program
    .command('login')
    .description('sign in with email and password and store the session (a rotating refresh token) in a profile')
    .option('--email <email>', 'your email (LATCHKEY_EMAIL)')
    .option(
      '--password <password>',
      'your password (prefer LATCHKEY_PASSWORD or --password-stdin: flags show up in `ps`)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .addHelpText(
      'after',
      `
The profile (--profile, LATCHKEY_PROFILE, else the config file's default, else "default") gets the
URL, the tenant (none for a tenant's own URL), your email and the refresh token; the config file is
written with mode 0600. Without --url (or LATCHKEY_URL) the profile's URL and tenant are used again.
Domains that enforce SSO refuse passwords: create a personal client in the console and use
LATCHKEY_CLIENT_ID + LATCHKEY_CLIENT_SECRET instead.

Examples:
  LATCHKEY_PASSWORD=… latchkey login --url http://127.0.0.1:8080 --tenant demo --email me@example.com
  LATCHKEY_PASSWORD=… latchkey login --url https://acme.id.example.com --email me@example.com`,
    )
    .action(async (opts: LoginOptions, cmd: Command) => {
      const g = globals(cmd);
      const configPath = g.config ? g.config : defaultConfigPath(io.env);
      const config = readConfigFile(configPath);
      const name = g.profile ?? (io.env.LATCHKEY_PROFILE || undefined) ?? config.defaultProfile ?? 'default';
      const existing = config.profiles[name];
      // Signing in again reuses the profile's URL and tenant; a URL given now replaces both, so the
      // profile's old tenant cannot turn a tenant's own URL into the path form.
      const newUrl = g.url !== undefined || !!io.env.LATCHKEY_URL;
      const settings = resolveSettings({
        baseUrl: g.url,
        tenant: g.tenant,
        apiUrl: g.apiUrl,
        configPath,
        profile: existing && !newUrl ? name : false,
        env: io.env,
        skipCredentials: true,
        wording: CLI_WORDING,
      });
      const email = opts.email ?? (io.env.LATCHKEY_EMAIL || undefined);
      let password = opts.password;
      if (opts.passwordStdin) password = (await io.readStdin()).replace(/\r?\n$/, '');
      password ??= io.env.LATCHKEY_PASSWORD || undefined;
      if (!email || !password) {
        throw new LatchkeyConfigError(
          'login needs --email (or LATCHKEY_EMAIL) and --password, --password-stdin or LATCHKEY_PASSWORD',
        );
      }
      const secrets = new SecretSet();
      secrets.pin(password);
      const issuer = settings.issuer;
      const token = await requestToken(
        { fetch: (i, init) => fetch(i, init), timeoutMs: 30_000, userAgent: `latchkey-cli/${VERSION}`, secrets },
        tenantEndpoints(issuer).token,
        { method: 'none', clientId: SDK_CLIENT_ID },
        { grant_type: 'password', username: email, password },
        `signing in as ${email} failed`,
      );
      if (!token.refresh_token) {
        throw new LatchkeyAuthError({
          error: 'invalid_response',
          errorDescription: 'the server issued no refresh token to latchkey-sdk',
          status: 200,
          context: 'login failed',
        });
      }
      await updateConfigFile(configPath, (c) => {
        const p = { ...(c.profiles[name] ?? {}) };
        for (const k of ['password', 'clientId', 'clientSecret', 'tokenFile'] as const) delete p[k];
        p.url = settings.baseUrl;
        // A tenant's own URL names no tenant: one left from an earlier login would make it the path form.
        if (settings.tenant === undefined) delete p.tenant;
        else p.tenant = settings.tenant;
        if (g.apiUrl || io.env.LATCHKEY_API_URL) p.apiUrl = settings.apiUrl;
        p.email = email;
        p.refreshToken = token.refresh_token;
        p.accessToken = token.access_token;
        c.profiles[name] = p;
        c.defaultProfile ??= name;
      });
      io.stdout.write(`Logged in to ${issuer} as ${email}; saved as profile "${name}" in ${configPath}\n`);
    });

  program
    .command('logout')
    .description('revoke the stored session of a profile and remove it from the config file')
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const configPath = g.config ? g.config : defaultConfigPath(io.env);
      const config = readConfigFile(configPath);
      const name = g.profile ?? (io.env.LATCHKEY_PROFILE || undefined) ?? config.defaultProfile ?? 'default';
      if (!config.profiles[name]?.refreshToken) {
        io.stdout.write(`Profile "${name}" holds no session.\n`);
        return;
      }
      const lk = new Latchkey({ configPath, profile: name, env: {}, wording: CLI_WORDING });
      try {
        await lk.logout();
      } catch (err) {
        // A dead session needs no revoking; the local copy goes anyway.
        if (!(err instanceof LatchkeyAuthError)) throw err;
      }
      await updateConfigFile(configPath, (c) => {
        const p = c.profiles[name];
        if (p) {
          delete p.refreshToken;
          delete p.accessToken;
        }
      });
      io.stdout.write(`Logged out: profile "${name}" no longer holds a session.\n`);
    });
}
