import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LatchkeyConfigError } from './errors.js';
import { writeFileAtomic } from './lib/atomic-write.js';
import { withFileLock } from './lib/file-lock.js';
import type { ClientCredentials } from './credentials/client-credentials.js';
import type { JwtAssertionCredentials } from './credentials/jwt-assertion.js';
import type { PasswordCredentials } from './credentials/password.js';
import type { StoredTokens, TokenStore } from './credentials/refresh-token.js';
import type { TokenFileCredentials } from './credentials/token-file.js';
import { SDK_WORDING, oneOf, type Wording } from './wording.js';
import type { CredentialFields } from './credentials/fields.js';
import { locateTenant } from './tenant-url.js';

/**
 * Where settings come from, highest first:
 *   1. explicit options (`new Latchkey({...})`, or the CLI's flags),
 *   2. environment variables (LATCHKEY_URL, LATCHKEY_TENANT, LATCHKEY_API_URL, LATCHKEY_CLIENT_ID,
 *      LATCHKEY_CLIENT_SECRET, LATCHKEY_TOKEN_FILE, LATCHKEY_EMAIL, LATCHKEY_PASSWORD),
 *   3. a profile of the config file (LATCHKEY_PROFILE / `--profile` / the file's `defaultProfile` /
 *      `default`; the file is LATCHKEY_CONFIG or $XDG_CONFIG_HOME/latchkey/config.json or
 *      ~/.config/latchkey/config.json),
 *   4. defaults (http://127.0.0.1:8080, tenant `demo`, API http://127.0.0.1:8081).
 * URL, tenant and API URL are resolved one by one; a URL given with no tenant anywhere is a tenant's
 * own URL (tenant-url.ts), so the default tenant goes with the default URL only. Credentials are
 * resolved as a kind: explicit `credentials` win outright; otherwise the highest source that names a
 * kind decides it (a token file; a password; a client id or secret that, with the other sources,
 * makes a complete client — a token file's client when a token file is configured; a stored login),
 * and fields that kind still lacks are taken from lower sources (e.g. LATCHKEY_CLIENT_SECRET for a
 * profile's token file, or `--client-id` with LATCHKEY_CLIENT_SECRET over a profile's stored login).
 */

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TENANT = 'demo';
export const DEFAULT_API_URL = 'http://127.0.0.1:8081';

/**
 * A named profile of the config file: the credential fields, where to reach the server, and the
 * tokens `latchkey login` writes (its refresh token rotated in place). Relative `tokenFile` paths
 * are relative to the config file.
 */
export interface Profile extends CredentialFields {
  url?: string;
  tenant?: string;
  apiUrl?: string;
  accessToken?: string;
}

export interface ConfigFile {
  defaultProfile?: string;
  profiles: Record<string, Profile>;
}

/** A refresh token you hold (rotated in memory unless you pass a store that persists it). */
export interface RefreshTokenCredentials {
  refreshToken: string;
  /** Defaults to the public client `latchkey-sdk`. */
  clientId?: string;
  /** For a confidential client (HTTP Basic). */
  clientSecret?: string;
  store?: TokenStore;
}

export type Credentials =
  PasswordCredentials | ClientCredentials | TokenFileCredentials | RefreshTokenCredentials | JwtAssertionCredentials;

/** Credentials once their kind is known. `profile`: a stored login, rotated inside the config file. */
export type ResolvedCredentials =
  | ({ kind: 'password' } & PasswordCredentials)
  | ({ kind: 'client_credentials' } & ClientCredentials)
  | ({ kind: 'token_file' } & TokenFileCredentials)
  | ({ kind: 'refresh_token' } & RefreshTokenCredentials)
  | ({ kind: 'jwt_assertion' } & JwtAssertionCredentials)
  | { kind: 'profile'; configPath: string; profile: string; clientId?: string; clientSecret?: string };

export type Env = Record<string, string | undefined>;

export interface SettingsInput {
  baseUrl?: string;
  tenant?: string;
  apiUrl?: string;
  credentials?: Credentials;
  /** Loose fields above the environment (the CLI's flags). Ignored when `credentials` is given. */
  credentialFields?: CredentialFields;
  /** A profile name, or false to ignore the config file. */
  profile?: string | false;
  configPath?: string;
  /** Defaults to process.env; `{}` ignores the environment. */
  env?: Env;
  /** Resolve only URL, tenant and API URL (the CLI's `login`). */
  skipCredentials?: boolean;
  /** How errors tell the reader to fix their setup; default: in terms of the SDK's options. */
  wording?: Wording;
}

export interface ResolvedSettings {
  /** The server's URL (a tenant host's URL in the host form). */
  baseUrl: string;
  /** The tenant's name in the path form; undefined when the URL is a tenant host's. */
  tenant: string | undefined;
  /** The tenant's issuer: every endpoint is under it. */
  issuer: string;
  apiUrl: string;
  configPath: string;
  /** The profile used, if one was found. */
  profile: string | undefined;
  credentials: ResolvedCredentials | undefined;
}

/** LATCHKEY_CONFIG, else $XDG_CONFIG_HOME/latchkey/config.json, else ~/.config/latchkey/config.json. */
export function defaultConfigPath(env: Env = process.env): string {
  if (env.LATCHKEY_CONFIG) return path.resolve(env.LATCHKEY_CONFIG);
  const base =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'latchkey', 'config.json');
}

const PROFILE_FIELDS = [
  'url',
  'tenant',
  'apiUrl',
  'email',
  'password',
  'clientId',
  'clientSecret',
  'tokenFile',
  'refreshToken',
  'accessToken',
] as const;

/** Reads the config file; a missing file is an empty config. */
export function readConfigFile(file: string): ConfigFile {
  if (!existsSync(file)) return { profiles: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new LatchkeyConfigError(`the config file ${file} is not valid JSON`, { cause: err });
  }
  const r = raw as { defaultProfile?: unknown; profiles?: unknown } | null;
  if (!r || typeof r !== 'object' || Array.isArray(r))
    throw new LatchkeyConfigError(`the config file ${file} must hold a JSON object`);
  if (r.defaultProfile !== undefined && typeof r.defaultProfile !== 'string')
    throw new LatchkeyConfigError(`defaultProfile in ${file} must be a string`);
  const profiles: Record<string, Profile> = {};
  if (r.profiles !== undefined) {
    if (!r.profiles || typeof r.profiles !== 'object' || Array.isArray(r.profiles))
      throw new LatchkeyConfigError(`profiles in ${file} must be an object`);
    for (const [name, p] of Object.entries(r.profiles as Record<string, unknown>)) {
      if (!p || typeof p !== 'object' || Array.isArray(p))
        throw new LatchkeyConfigError(`profile "${name}" in ${file} must be an object`);
      const profile: Profile = {};
      for (const field of PROFILE_FIELDS) {
        const v = (p as Record<string, unknown>)[field];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'string')
          throw new LatchkeyConfigError(`${field} of profile "${name}" in ${file} must be a string`);
        profile[field] = v;
      }
      profiles[name] = profile;
    }
  }
  return { ...(r.defaultProfile !== undefined ? { defaultProfile: r.defaultProfile as string } : {}), profiles };
}

/** Writes the config file atomically, mode 0600, its directory 0700. Callers hold the lock. */
export async function writeConfigFile(file: string, config: ConfigFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n');
}

/** Read-modify-write of the config file under its lock. */
export async function updateConfigFile(file: string, change: (config: ConfigFile) => void): Promise<ConfigFile> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  return withFileLock(file, async () => {
    const config = readConfigFile(file);
    change(config);
    await writeConfigFile(file, config);
    return config;
  });
}

/** A stored login (`latchkey login`) as a token store: rotated in place in the config file. */
export class ProfileTokenStore implements TokenStore {
  readonly description: string;
  constructor(
    readonly configPath: string,
    readonly profile: string,
  ) {
    this.description = `profile "${profile}" in ${configPath}`;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.configPath, fn);
  }

  async load(): Promise<StoredTokens> {
    const p = readConfigFile(this.configPath).profiles[this.profile];
    if (!p?.refreshToken) throw new LatchkeyConfigError(`${this.description} holds no login; run \`latchkey login\``);
    return { refreshToken: p.refreshToken, accessToken: p.accessToken };
  }

  async save(tokens: StoredTokens): Promise<void> {
    const config = readConfigFile(this.configPath);
    const p = config.profiles[this.profile] ?? (config.profiles[this.profile] = {});
    p.refreshToken = tokens.refreshToken;
    if (tokens.accessToken) p.accessToken = tokens.accessToken;
    await writeConfigFile(this.configPath, config);
  }
}

function fromEnv(env: Env): CredentialFields & { url?: string; tenant?: string; apiUrl?: string } {
  const v = (k: string) => (env[k] === '' ? undefined : env[k]);
  return {
    url: v('LATCHKEY_URL'),
    tenant: v('LATCHKEY_TENANT'),
    apiUrl: v('LATCHKEY_API_URL'),
    email: v('LATCHKEY_EMAIL'),
    password: v('LATCHKEY_PASSWORD'),
    clientId: v('LATCHKEY_CLIENT_ID'),
    clientSecret: v('LATCHKEY_CLIENT_SECRET'),
    tokenFile: v('LATCHKEY_TOKEN_FILE'),
  };
}

type Kind = ResolvedCredentials['kind'];

/**
 * The kind a source names: a token file, a password, a client id or secret that completes a client
 * (a token file's when one is configured anywhere), a stored login.
 */
function kindOf(f: CredentialFields, merged: CredentialFields): Kind | undefined {
  if (f.tokenFile) return 'token_file';
  if (f.password) return 'password';
  if ((f.clientId || f.clientSecret) && merged.clientId && merged.clientSecret)
    return merged.tokenFile ? 'token_file' : 'client_credentials';
  if (f.refreshToken) return 'profile';
  return undefined;
}

function checkUrl(name: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new LatchkeyConfigError(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new LatchkeyConfigError(`${name} must be an http(s) URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

const nonEmpty = (name: string, v: unknown): string => {
  if (typeof v !== 'string' || v === '')
    throw new LatchkeyConfigError(`credentials.${name} must be a non-empty string`);
  return v;
};

/** Classifies explicit credentials (a unit: nothing is filled in from elsewhere). */
export function classifyCredentials(c: Credentials): ResolvedCredentials {
  if (!c || typeof c !== 'object') throw new LatchkeyConfigError('credentials must be an object');
  if ('tokenFile' in c && c.tokenFile !== undefined) {
    return {
      kind: 'token_file',
      tokenFile: nonEmpty('tokenFile', c.tokenFile),
      clientSecret: nonEmpty('clientSecret', c.clientSecret),
      ...(c.clientId ? { clientId: c.clientId } : {}),
    };
  }
  if ('refreshToken' in c && c.refreshToken !== undefined)
    return { kind: 'refresh_token', ...c, refreshToken: nonEmpty('refreshToken', c.refreshToken) };
  if ('privateKey' in c && c.privateKey !== undefined)
    return { kind: 'jwt_assertion', ...c, clientId: nonEmpty('clientId', c.clientId) };
  if ('password' in c && c.password !== undefined) {
    return { kind: 'password', ...c, email: nonEmpty('email', c.email), password: nonEmpty('password', c.password) };
  }
  if ('clientSecret' in c && c.clientSecret !== undefined) {
    return {
      kind: 'client_credentials',
      ...c,
      clientId: nonEmpty('clientId', (c as ClientCredentials).clientId),
      clientSecret: nonEmpty('clientSecret', c.clientSecret),
    };
  }
  throw new LatchkeyConfigError(
    'credentials need one of: {email, password}, {clientId, clientSecret}, {tokenFile, clientSecret}, {refreshToken}, {clientId, privateKey}',
  );
}

/** Resolves URL, tenant, API URL and credentials from options, environment, profile and defaults. */
export function resolveSettings(input: SettingsInput = {}): ResolvedSettings {
  const env = input.env ?? process.env;
  const wording = input.wording ?? SDK_WORDING;
  const e = fromEnv(env);
  const configPath = input.configPath ? path.resolve(input.configPath) : defaultConfigPath(env);

  let profileName: string | undefined;
  let profile: Profile = {};
  if (input.profile !== false) {
    const named = input.profile ?? (env.LATCHKEY_PROFILE || undefined);
    const config = readConfigFile(configPath);
    const name = named ?? config.defaultProfile ?? 'default';
    const found = config.profiles[name];
    if (found) {
      profileName = name;
      profile = { ...found };
      if (profile.tokenFile) profile.tokenFile = path.resolve(path.dirname(configPath), profile.tokenFile);
    } else if (named !== undefined) {
      throw new LatchkeyConfigError(`profile "${named}" not found in ${configPath}`);
    }
  }

  const url = input.baseUrl ?? e.url ?? profile.url;
  const { baseUrl, tenant, issuer } = locateTenant(
    checkUrl('the Latchkey URL', url ?? DEFAULT_BASE_URL),
    input.tenant ?? e.tenant ?? profile.tenant ?? (url === undefined ? DEFAULT_TENANT : undefined),
  );
  const apiUrl = checkUrl('the API URL', input.apiUrl ?? e.apiUrl ?? profile.apiUrl ?? DEFAULT_API_URL);

  let credentials: ResolvedCredentials | undefined;
  if (input.skipCredentials) {
    credentials = undefined;
  } else if (input.credentials) {
    credentials = classifyCredentials(input.credentials);
  } else {
    const flags = input.credentialFields ?? {};
    const layers: CredentialFields[] = [flags, e, profile];
    const merged: CredentialFields = {};
    for (const layer of [...layers].reverse()) {
      for (const [k, v] of Object.entries(layer)) if (v) (merged as Record<string, string>)[k] = v;
    }
    const kind = kindOf(flags, merged) ?? kindOf(e, merged) ?? kindOf(profile, merged) ?? kindOf(merged, merged);
    const need = (field: keyof CredentialFields, what: string): string => {
      const v = merged[field];
      if (!v)
        throw new LatchkeyConfigError(
          `${what} is missing: use ${oneOf([wording.field(field), ENV_NAMES[field], `the profile's ${field}`])}`,
        );
      return v;
    };
    switch (kind) {
      case 'token_file':
        credentials = {
          kind,
          tokenFile: path.resolve(need('tokenFile', 'the token file')),
          clientSecret: need('clientSecret', "the application's client secret"),
          ...(merged.clientId ? { clientId: merged.clientId } : {}),
        };
        break;
      case 'password':
        credentials = { kind, email: need('email', 'the email'), password: need('password', 'the password') };
        break;
      case 'client_credentials':
        credentials = {
          kind,
          clientId: need('clientId', 'the client id'),
          clientSecret: need('clientSecret', 'the client secret'),
        };
        break;
      case 'profile':
        // A stored login lives in the profile that holds it, never in a lower source.
        credentials = { kind, configPath, profile: profileName! };
        break;
      case undefined:
        break;
    }
  }
  return { baseUrl, tenant, issuer, apiUrl, configPath, profile: profileName, credentials };
}

const ENV_NAMES: Record<keyof CredentialFields, string> = {
  email: 'LATCHKEY_EMAIL',
  password: 'LATCHKEY_PASSWORD',
  clientId: 'LATCHKEY_CLIENT_ID',
  clientSecret: 'LATCHKEY_CLIENT_SECRET',
  tokenFile: 'LATCHKEY_TOKEN_FILE',
  refreshToken: 'the profile (latchkey login)',
};
