import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_API_URL,
  DEFAULT_BASE_URL,
  Latchkey,
  LatchkeyConfigError,
  defaultConfigPath,
  resolveSettings,
} from '../src/index.js';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-config-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeConfig(dir: string, config: unknown): string {
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

test('the config file: LATCHKEY_CONFIG, else XDG_CONFIG_HOME, else ~/.config', () => {
  assert.equal(
    defaultConfigPath({ LATCHKEY_CONFIG: '/etc/lk.json', XDG_CONFIG_HOME: '/xdg', HOME: '/home/me' }),
    '/etc/lk.json',
  );
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/me' }), '/xdg/latchkey/config.json');
  assert.equal(defaultConfigPath({ HOME: '/home/me' }), '/home/me/.config/latchkey/config.json');
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  assert.equal(
    defaultConfigPath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/me' }),
    '/home/me/.config/latchkey/config.json',
  );
});

test('defaults when nothing is configured', () => {
  const s = resolveSettings({ env: {}, profile: false });
  assert.equal(s.baseUrl, DEFAULT_BASE_URL);
  assert.equal(s.tenant, 'demo');
  assert.equal(s.apiUrl, DEFAULT_API_URL);
  assert.equal(s.credentials, undefined);
});

test('explicit options > environment > profile > defaults, field by field', (t) => {
  const dir = scratch(t);
  const configPath = writeConfig(dir, {
    profiles: { default: { url: 'http://profile:1', tenant: 'ptenant', apiUrl: 'http://papi:2' } },
  });
  const env = { LATCHKEY_CONFIG: configPath, LATCHKEY_TENANT: 'etenant', LATCHKEY_API_URL: 'http://eapi:3/' };
  const fromAll = resolveSettings({ env });
  assert.deepEqual(
    [fromAll.baseUrl, fromAll.tenant, fromAll.apiUrl, fromAll.profile],
    ['http://profile:1', 'etenant', 'http://eapi:3', 'default'],
  );
  const explicit = resolveSettings({ env, tenant: 'otenant', baseUrl: 'http://option:4' });
  assert.deepEqual(
    [explicit.baseUrl, explicit.tenant, explicit.apiUrl],
    ['http://option:4', 'otenant', 'http://eapi:3'],
  );
});

test('profiles: --profile / LATCHKEY_PROFILE / defaultProfile, and a named profile must exist', (t) => {
  const dir = scratch(t);
  const configPath = writeConfig(dir, {
    defaultProfile: 'staging',
    profiles: { staging: { url: 'http://staging:1' }, prod: { url: 'https://prod.example' } },
  });
  assert.equal(resolveSettings({ env: { LATCHKEY_CONFIG: configPath } }).baseUrl, 'http://staging:1');
  assert.equal(
    resolveSettings({ env: { LATCHKEY_CONFIG: configPath, LATCHKEY_PROFILE: 'prod' } }).baseUrl,
    'https://prod.example',
  );
  assert.equal(
    resolveSettings({ env: { LATCHKEY_PROFILE: 'prod' }, configPath, profile: 'staging' }).profile,
    'staging',
  );
  assert.throws(
    () => resolveSettings({ env: {}, configPath, profile: 'nope' }),
    (e: unknown) =>
      e instanceof LatchkeyConfigError &&
      e.code === 'ERR_LATCHKEY_CONFIG' &&
      /profile "nope" not found/.test(e.message),
  );
  // An absent default profile is simply no profile.
  const empty = writeConfig(scratch(t), { profiles: {} });
  assert.equal(resolveSettings({ env: {}, configPath: empty }).profile, undefined);
});

test('XDG_CONFIG_HOME is where the profile is found', (t) => {
  const xdg = scratch(t);
  fs.mkdirSync(path.join(xdg, 'latchkey'));
  fs.writeFileSync(
    path.join(xdg, 'latchkey', 'config.json'),
    JSON.stringify({ profiles: { default: { tenant: 'from-xdg' } } }),
  );
  assert.equal(resolveSettings({ env: { XDG_CONFIG_HOME: xdg } }).tenant, 'from-xdg');
});

test('credential kinds from the environment', () => {
  const env = (e: Record<string, string>) => resolveSettings({ env: e, profile: false }).credentials;
  assert.deepEqual(env({ LATCHKEY_EMAIL: 'a@b.c', LATCHKEY_PASSWORD: 'pw' }), {
    kind: 'password',
    email: 'a@b.c',
    password: 'pw',
  });
  assert.deepEqual(env({ LATCHKEY_CLIENT_ID: 'id', LATCHKEY_CLIENT_SECRET: 's' }), {
    kind: 'client_credentials',
    clientId: 'id',
    clientSecret: 's',
  });
  assert.deepEqual(env({ LATCHKEY_TOKEN_FILE: '/x/app.tok', LATCHKEY_CLIENT_ID: 'id', LATCHKEY_CLIENT_SECRET: 's' }), {
    kind: 'token_file',
    tokenFile: '/x/app.tok',
    clientId: 'id',
    clientSecret: 's',
  });
  assert.throws(
    () => env({ LATCHKEY_TOKEN_FILE: '/x/app.tok' }),
    /client secret is missing: use `credentials\.clientSecret`, LATCHKEY_CLIENT_SECRET or the profile's clientSecret$/,
  );
  assert.throws(() => env({ LATCHKEY_PASSWORD: 'pw' }), /email is missing: .*LATCHKEY_EMAIL/);
});

test('the highest source naming a kind decides it; lower sources fill in what it lacks', (t) => {
  const dir = scratch(t);
  const configPath = writeConfig(dir, {
    profiles: {
      app: { tokenFile: 'tokens/app.tok', clientId: 'lk_app_x' },
      login: { email: 'me@x.y', refreshToken: 'lk_rt_stored' },
      personal: { clientId: 'lk_pc_x', clientSecret: 'lk_cs_profile' },
    },
  });
  // The profile names a token file (relative to the config file); the secret comes from the environment.
  assert.deepEqual(
    resolveSettings({ env: { LATCHKEY_CLIENT_SECRET: 'lk_cs_env' }, configPath, profile: 'app' }).credentials,
    {
      kind: 'token_file',
      tokenFile: path.join(dir, 'tokens/app.tok'),
      clientId: 'lk_app_x',
      clientSecret: 'lk_cs_env',
    },
  );
  // A password in the environment beats the profile's personal client.
  assert.equal(
    resolveSettings({ env: { LATCHKEY_EMAIL: 'e@x.y', LATCHKEY_PASSWORD: 'pw' }, configPath, profile: 'personal' })
      .credentials?.kind,
    'password',
  );
  // A stored login.
  assert.deepEqual(resolveSettings({ env: {}, configPath, profile: 'login' }).credentials, {
    kind: 'profile',
    configPath,
    profile: 'login',
  });
  // A password in the environment, the email from the stored login's profile.
  assert.deepEqual(resolveSettings({ env: { LATCHKEY_PASSWORD: 'pw' }, configPath, profile: 'login' }).credentials, {
    kind: 'password',
    email: 'me@x.y',
    password: 'pw',
  });
  // Flags (credentialFields) beat the environment.
  assert.equal(
    resolveSettings({
      env: { LATCHKEY_CLIENT_ID: 'a', LATCHKEY_CLIENT_SECRET: 'b' },
      credentialFields: { tokenFile: 'x.tok' },
      profile: false,
    }).credentials?.kind,
    'token_file',
  );
  // A client id flag completed by a secret in the environment beats the profile's stored login.
  assert.deepEqual(
    resolveSettings({
      env: { LATCHKEY_CLIENT_SECRET: 'lk_cs_env' },
      credentialFields: { clientId: 'lk_pc_flag' },
      configPath,
      profile: 'login',
    }).credentials,
    { kind: 'client_credentials', clientId: 'lk_pc_flag', clientSecret: 'lk_cs_env' },
  );
  // A secret alone (no client id anywhere) names nothing: the stored login stays.
  assert.equal(
    resolveSettings({ env: { LATCHKEY_CLIENT_SECRET: 'lk_cs_env' }, configPath, profile: 'login' }).credentials?.kind,
    'profile',
  );
  // Explicit credentials are a unit: nothing else is consulted.
  assert.deepEqual(
    resolveSettings({
      env: { LATCHKEY_CLIENT_SECRET: 'lk_cs_env' },
      configPath,
      profile: 'app',
      credentials: { email: 'x@y.z', password: 'p' },
    }).credentials,
    { kind: 'password', email: 'x@y.z', password: 'p' },
  );
});

test('bad configuration is a LatchkeyConfigError', (t) => {
  const dir = scratch(t);
  const broken = path.join(dir, 'broken.json');
  fs.writeFileSync(broken, '{ not json');
  assert.throws(
    () => resolveSettings({ env: {}, configPath: broken }),
    (e: unknown) => e instanceof LatchkeyConfigError && /not valid JSON/.test((e as Error).message),
  );
  const wrongType = writeConfig(dir, { profiles: { default: { url: 42 } } });
  assert.throws(
    () => resolveSettings({ env: {}, configPath: wrongType }),
    /url of profile "default" .* must be a string/,
  );
  assert.throws(() => resolveSettings({ env: { LATCHKEY_URL: 'ftp://x' }, profile: false }), LatchkeyConfigError);
  assert.throws(() => resolveSettings({ env: {}, profile: false, tenant: 'a/b' }), LatchkeyConfigError);
  assert.throws(
    () => resolveSettings({ env: {}, profile: false, credentials: { clientId: 'x', clientSecret: '' } }),
    /credentials.clientSecret/,
  );
});

test('a client without credentials fails on first use with a config error, not at construction', async () => {
  const lk = new Latchkey({ env: {}, profile: false });
  assert.equal(lk.credentialKind, undefined);
  await assert.rejects(
    lk.getAccessToken(),
    (e: unknown) => e instanceof LatchkeyConfigError && /LATCHKEY_CLIENT_ID/.test((e as Error).message),
  );
  await assert.rejects(lk.request('relative/path'), LatchkeyConfigError);
});
