// `npm run bench`: Latchkey's token endpoint against its ceilings and a reference, in one run on
// loopback. Each server runs alone in its own child process while autocannon loads it from this
// process (one core each on a 2-core machine); every child is stopped afterwards, even on error.
//
//   (a) a bare node:http server answering a fixed JSON body (the HTTP ceiling), and Fastify with
//       formbody answering each request with one fresh ES256 token and nothing else (the ceiling of
//       a token endpoint on Latchkey's stack)
//   (b) oidc-provider from npm, minimal in-memory configuration (the reference)
//   (c) the raw ES256 signing rate on one core: jose SignJWT and synchronous node:crypto
//   (d) Latchkey: client_credentials, refresh_token with rotation, introspection
//
// Environment: BENCH_SECONDS (5) per measurement, BENCH_WARMUP_SECONDS (1) unrecorded run before
// each, BENCH_CONNECTIONS (10), BENCH_SIGN_SECONDS (2), BENCH_ONLY (sign,bare,oidc,latchkey),
// BENCH_DATABASE_URL (an empty PostgreSQL database for Latchkey; SQLite in a temp dir otherwise),
// BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_TIMEOUT_SECONDS (hard limit of the run).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure, type Chain, type LoadRequest, type Measurement } from './lib/autocannon.js';
import { basic, call, field, form, FORM } from './lib/http.js';
import { BenchError, freePort, installCleanup, startNode, stopAll, waitForHttp, type Proc } from './lib/processes.js';
import { ratios, table, type Row } from './lib/report.js';
import { CLIENT_ID as OIDC_CLIENT_ID, CLIENT_SECRET as OIDC_CLIENT_SECRET } from './oidc-provider-constants.js';
import { benchResourceServer } from './resource-server.js';

const num = (name: string, def: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v}`);
  return n;
};
const SECONDS = num('BENCH_SECONDS', 5);
const WARMUP = num('BENCH_WARMUP_SECONDS', 1);
const CONNECTIONS = Math.max(1, Math.round(num('BENCH_CONNECTIONS', 10)));
const SIGN_SECONDS = num('BENCH_SIGN_SECONDS', 2);
const PARTS = new Set((process.env.BENCH_ONLY || 'sign,bare,oidc,latchkey,resource').split(',').map((s) => s.trim()).filter(Boolean));
const STRICT = process.env.BENCH_STRICT === '1';
// 11 load measurements, the signing loops and start-ups, with room to spare.
const TIMEOUT = num('BENCH_TIMEOUT_SECONDS', 110 + 12 * (SECONDS + WARMUP) + 2 * SIGN_SECONDS);

const results = new Map<string, Measurement>();
const signRows: Row[] = [];
const tempDirs: string[] = [];
const log = (s: string) => process.stdout.write(s + '\n');

function removeTempDirs() {
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
installCleanup(TIMEOUT, removeTempDirs);

async function run(name: string, origin: string, load: { request?: LoadRequest; chain?: Chain<any> }): Promise<Measurement> {
  process.stdout.write(`  ${name} … `);
  const m = await measure({ name, origin, ...load, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP });
  results.set(name, m);
  log(`${Math.round(m.rps)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.note ? ` (${m.note})` : ''}`);
  return m;
}

/** Starts a server script in its own process, waits for it, runs `body`, and stops it. */
async function withServer(name: string, script: string, env: Record<string, string>, readyPath: string,
  body: (origin: string, proc: Proc) => Promise<void>, readyTimeoutMs = 30_000): Promise<void> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = startNode(name, script, { ...env, PORT: String(port) });
  try {
    await waitForHttp(origin + readyPath, proc, readyTimeoutMs);
    await body(origin, proc);
  } catch (err) {
    if (err instanceof BenchError && !err.message.includes('last output')) {
      const exit = proc.child.exitCode ?? proc.child.signalCode;
      err.message += `\n  ${name}${exit !== null ? ` exited (${exit});` : ''} its last output:\n${proc.tail().replace(/^/gm, '    ') || '    (none)'}`;
    }
    throw err;
  } finally {
    await proc.stop();
  }
}

/** A chain per connection over a pool of refresh tokens: each request uses the token the previous answer returned. */
function refreshChain(pool: string[], path: string, headers: Record<string, string>, onNoRotation: () => void): Chain<string> {
  return {
    start() {
      const t = pool.shift();
      if (!t) throw new BenchError('ran out of initial refresh tokens (one per connection per run)');
      return t;
    },
    build: (rt) => ({ method: 'POST', path, headers, body: form({ grant_type: 'refresh_token', refresh_token: rt }) }),
    next(body, rt) {
      let next: unknown;
      try { next = JSON.parse(body).refresh_token; } catch { /* counted below */ }
      if (typeof next === 'string' && next && next !== rt) return next;
      onNoRotation();
      return rt;
    },
  };
}
const CEILING = 'Fastify + one ES256 signature';
const chainsNeeded = CONNECTIONS * (WARMUP > 0 ? 2 : 1);

// ---------------------------------------------------------------------------------------------
async function signing(): Promise<void> {
  log(`\n(c) ES256 access-token signing on one core, ${SIGN_SECONDS} s each`);
  const proc = startNode('signing', 'bench/sign-rate.ts', { BENCH_SIGN_SECONDS: String(SIGN_SECONDS) });
  let out = '';
  proc.child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  const code = await proc.exited;
  const line = out.trim().split('\n').pop() ?? '';
  let rates: { jose: number; nodeCrypto: number };
  try { rates = JSON.parse(line); } catch { throw new BenchError(`signing process exited (${code}) without a result:\n${proc.tail()}`); }
  signRows.push({ name: 'ES256 sign: jose SignJWT (1 core)', rps: rates.jose });
  signRows.push({ name: 'ES256 sign: node:crypto sync (1 core)', rps: rates.nodeCrypto });
  log(`  jose SignJWT: ${Math.round(rates.jose)}/s, node:crypto: ${Math.round(rates.nodeCrypto)}/s (${(rates.nodeCrypto / rates.jose).toFixed(2)}×)`);
}

async function bare(): Promise<void> {
  log('\n(a) bare node:http, fixed JSON body');
  const request = { method: 'POST' as const, path: '/token', headers: { 'content-type': FORM }, body: form({ grant_type: 'client_credentials', scope: 'myservices' }) };
  await withServer('bare http', 'bench/bare-http-server.ts', {}, '/', async (origin) => {
    await run('bare node:http', origin, { request });
  });
  log('\n(a) Fastify + formbody + one node:crypto ES256 signature per request, nothing else');
  await withServer('ceiling', 'bench/ceiling-server.ts', {}, '/', async (origin) => {
    await run(CEILING, origin, { request });
  });
}

async function oidcProvider(): Promise<void> {
  log('\n(b) oidc-provider (npm), minimal in-memory configuration, opaque access tokens');
  const auth = basic(OIDC_CLIENT_ID, OIDC_CLIENT_SECRET);
  const headers = { 'content-type': FORM, authorization: auth };
  const ccBody = form({ grant_type: 'client_credentials', scope: 'myservices' });
  await withServer('oidc-provider', 'bench/oidc-provider-server.ts', {}, '/.well-known/openid-configuration', async (origin) => {
    await run('oidc-provider client_credentials', origin, { request: { method: 'POST', path: '/token', headers, body: ccBody } });

    const minted = await call<{ refresh_tokens: string[] }>({ what: 'oidc-provider: mint refresh tokens', method: 'POST', url: `${origin}/bench/refresh-tokens?n=${chainsNeeded}` });
    let noRotation = 0;
    const m = await run('oidc-provider refresh_token (rotating)', origin, {
      chain: refreshChain(minted.refresh_tokens, '/token', headers, () => { noRotation++; }),
    });
    if (noRotation) m.note = [m.note, `${noRotation} answers without a new refresh token`].filter(Boolean).join('; ');

    const tok = await call({ what: 'oidc-provider: client_credentials token', method: 'POST', url: `${origin}/token`, headers, body: ccBody });
    const accessToken = field(tok, 'access_token', 'oidc-provider client_credentials');
    const intro = await call({ what: 'oidc-provider: introspection', method: 'POST', url: `${origin}/token/introspection`, headers, body: form({ token: accessToken }) });
    if (intro.active !== true) throw new BenchError(`oidc-provider introspection of a fresh token answered ${JSON.stringify(intro)}`);
    await run('oidc-provider introspection', origin, { request: { method: 'POST', path: '/token/introspection', headers, body: form({ token: accessToken }) } });
  });
  log('    (storage: a plain Map adapter, not its development LRU of 1000 entries; refresh tokens minted through its own\n' +
    '     Grant/RefreshToken models instead of a browser authorization-code flow)');

  log('\n(b) oidc-provider with resource indicators: ES256 JWT access tokens, like Latchkey');
  await withServer('oidc-provider (JWT)', 'bench/oidc-provider-server.ts', { OIDC_JWT: '1' }, '/.well-known/openid-configuration', async (origin) => {
    await run('oidc-provider client_credentials (JWT)', origin, { request: { method: 'POST', path: '/token', headers, body: ccBody } });
  });
}

async function latchkey(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  tempDirs.push(dataDir);
  const email = 'bench@demo.latchkey.local';
  const password = crypto.randomBytes(18).toString('base64url');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  log(`\n(d) Latchkey (${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'SQLite'}), ES256 JWT access tokens`);
  const proc = startNode('latchkey', 'packages/server/src/main.ts', {
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: origin,
    LATCHKEY_DATA_DIR: dataDir,
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? '',
    LATCHKEY_MASTER_KEY: '',
    LATCHKEY_BOOTSTRAP_EMAIL: email,
    LATCHKEY_BOOTSTRAP_PASSWORD: password,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  });
  try {
    await waitForHttp(`${origin}/readyz`, proc, 60_000);
    const t = `${origin}/t/demo`;

    const admin = await call({
      what: 'Latchkey: password grant for the bootstrap administrator', method: 'POST', url: `${t}/oauth2/v1/token`,
      headers: { 'content-type': FORM },
      body: form({ grant_type: 'password', client_id: 'latchkey-sdk', username: email, password }),
    });
    const bearer = { authorization: `Bearer ${field(admin, 'access_token', 'Latchkey password grant')}`, 'content-type': 'application/json' };

    const app = await call({
      what: 'Latchkey: create a confidential app', method: 'POST', url: `${t}/api/v1/apps`, headers: bearer,
      body: JSON.stringify({ name: 'bench', description: '', grantTypes: ['client_credentials', 'refresh_token'], scopes: ['myservices'] }),
    });
    const clientId = field(app, 'clientId', 'Latchkey create app');
    const clientSecret = field(app, 'clientSecret', 'Latchkey create app');
    const appId = typeof app.id === 'string' || typeof app.id === 'number' ? String(app.id) : clientId;

    const refreshTokens: string[] = [];
    for (let i = 0; i < chainsNeeded + 1; i++) {
      const doc = await call({
        what: 'Latchkey: generate app tokens', method: 'POST', url: `${t}/api/v1/apps/${encodeURIComponent(appId)}/tokens`, headers: bearer,
        body: JSON.stringify({ scopes: ['myservices'], includeRefreshToken: true }),
      });
      field(doc, 'app_access_token', 'Latchkey generate app tokens');
      refreshTokens.push(field(doc, 'refresh_token', 'Latchkey generate app tokens'));
    }

    const headers = { 'content-type': FORM, authorization: basic(clientId, clientSecret) };
    const ccBody = form({ grant_type: 'client_credentials', scope: 'myservices' });
    const cc = await call({ what: 'Latchkey: client_credentials grant', method: 'POST', url: `${t}/oauth2/v1/token`, headers, body: ccBody });
    const accessToken = field(cc, 'access_token', 'Latchkey client_credentials grant');
    await run('latchkey client_credentials', origin, { request: { method: 'POST', path: '/t/demo/oauth2/v1/token', headers, body: ccBody } });

    // One refresh by hand first: a clear error if the grant fails or does not rotate.
    const first = refreshTokens.shift()!;
    const refreshed = await call({
      what: 'Latchkey: refresh_token grant', method: 'POST', url: `${t}/oauth2/v1/token`, headers,
      body: form({ grant_type: 'refresh_token', refresh_token: first }),
    });
    const rotated = field(refreshed, 'refresh_token', 'Latchkey refresh_token grant (rotation)');
    if (rotated === first) throw new BenchError('Latchkey refresh_token grant answered the same refresh token: it does not rotate');
    refreshTokens.push(rotated);
    let noRotation = 0;
    const m = await run('latchkey refresh_token (rotating)', origin, {
      chain: refreshChain(refreshTokens, '/t/demo/oauth2/v1/token', headers, () => { noRotation++; }),
    });
    if (noRotation) m.note = [m.note, `${noRotation} answers without a new refresh token`].filter(Boolean).join('; ');

    const introBody = form({ token: accessToken });
    const intro = await call({ what: 'Latchkey: introspection', method: 'POST', url: `${t}/oauth2/v1/introspect`, headers, body: introBody });
    if (intro.active !== true) throw new BenchError(`Latchkey introspection of a fresh access token answered ${JSON.stringify(intro)}`);
    await run('latchkey introspection', origin, { request: { method: 'POST', path: '/t/demo/oauth2/v1/introspect', headers, body: introBody } });

    if (PARTS.has('resource')) {
      log('  sample API (verifies the same access token offline) …');
      const rs = await benchResourceServer({ latchkeyUrl: origin, accessToken, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, log });
      results.set(rs.verified.name, rs.verified);
      results.set(rs.unverified.name, rs.unverified);
    }
  } catch (err) {
    if (err instanceof BenchError && proc.tail()) err.message += `\n  Latchkey's last output:\n${proc.tail().replace(/^/gm, '    ')}`;
    throw err;
  } finally {
    await proc.stop();
  }
}

// ---------------------------------------------------------------------------------------------
const cpus = os.cpus();
log(`Latchkey bench — Node ${process.version}, ${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}`);
log(`${CONNECTIONS} connections, ${SECONDS} s per measurement after ${WARMUP} s warm-up, on 127.0.0.1; ` +
  'each server alone in its own process, autocannon in this one');

const load = os.loadavg()[0];
if (load > cpus.length * 0.25) {
  log(`warning: the machine is busy (1-minute load average ${load.toFixed(2)} on ${cpus.length} cores); numbers will be low and noisy`);
}

const started = Date.now();
let failure: unknown;
try {
  if (PARTS.has('sign')) await signing();
  if (PARTS.has('bare')) await bare();
  if (PARTS.has('oidc')) await oidcProvider();
  if (PARTS.has('latchkey')) await latchkey();
} catch (err) {
  failure = err;
} finally {
  await stopAll();
  removeTempDirs();
}

const get = (name: string) => results.get(name)?.rps;
const sign = (i: number) => signRows[i]?.rps;
const rows: Row[] = [...results.values(), ...signRows];
log('\n' + table(rows));
const outcome = ratios([
  { name: 'latchkey client_credentials / jose signing rate', numerator: get('latchkey client_credentials'), denominator: sign(0), target: 0.6 },
  { name: 'latchkey client_credentials / node:crypto signing rate', numerator: get('latchkey client_credentials'), denominator: sign(1) },
  { name: 'latchkey client_credentials / oidc-provider client_credentials', numerator: get('latchkey client_credentials'), denominator: get('oidc-provider client_credentials'), target: 2.5 },
  { name: 'latchkey client_credentials / oidc-provider client_credentials (JWT)', numerator: get('latchkey client_credentials'), denominator: get('oidc-provider client_credentials (JWT)') },
  { name: 'latchkey client_credentials / Fastify + one ES256 signature', numerator: get('latchkey client_credentials'), denominator: get(CEILING) },
  { name: 'Fastify + one ES256 signature / oidc-provider client_credentials', numerator: get(CEILING), denominator: get('oidc-provider client_credentials') },
  { name: 'oidc-provider client_credentials / bare node:http', numerator: get('oidc-provider client_credentials'), denominator: get('bare node:http') },
  { name: 'latchkey refresh_token / latchkey client_credentials', numerator: get('latchkey refresh_token (rotating)'), denominator: get('latchkey client_credentials'), target: 0.5 },
  { name: 'latchkey introspection / oidc-provider introspection', numerator: get('latchkey introspection'), denominator: get('oidc-provider introspection'), target: 2 },
  { name: 'sample API verified / unverified', numerator: get('sample API (tokens verified)'), denominator: get('sample API (VERIFY=off)') },
]);
log('\n' + outcome.text);
log(`\nbench took ${Math.round((Date.now() - started) / 1000)} s`);

if (failure) {
  const msg = failure instanceof BenchError ? failure.message : (failure as Error)?.stack ?? String(failure);
  process.stderr.write(`\nbench FAILED: ${msg}\n`);
  process.exit(1);
}
if (STRICT && outcome.missed > 0) {
  process.stderr.write(`\nbench: ${outcome.missed} target(s) not met (BENCH_STRICT=1)\n`);
  process.exit(3);
}
process.exit(0);
