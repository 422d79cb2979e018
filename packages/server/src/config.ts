import path from 'node:path';
import { isIP } from 'node:net';
import { isLoopbackHost } from './lib/outbound-guard.js';
import { hostProblem } from './domain/tenants/hosts.js';

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  /** Redis for the throttles shared by every process (else PostgreSQL's table, or memory on SQLite). */
  redisUrl?: string;
  masterKey?: string;
  bootstrapEmail?: string;
  bootstrapPassword?: string;
  logLevel: string;
  /** How often signing keys rotate (default 30 days). */
  keyRotationSeconds: number;
  /**
   * Which `X-Forwarded-For` entries to believe: false (none, the default), a number of proxy hops
   * in front of the server, or the proxies' addresses and CIDR ranges (Fastify's `trustProxy`).
   */
  trustProxy: false | number | string[];
  /** Server processes on this machine (LATCHKEY_WORKERS, node:cluster); more than one needs PostgreSQL. */
  workers: number;
  /** Leaked-secret reports (see http/routes/secret-scanning.ts). */
  secretScanning: {
    /** GitHub's secret-scanning public keys (GITHUB_SECRET_SCANNING_KEYS_URL). */
    githubKeysUrl: string;
    /** At most one key refresh per this many seconds on unknown identifiers (GITHUB_SECRET_SCANNING_KEYS_MIN_REFRESH_SECONDS, 60). */
    githubKeysMinRefreshSeconds: number;
    /** GitLab's pre-shared token (GITLAB_REVOCATION_TOKEN); the GitLab endpoints are off without it. */
    gitlabToken?: string;
  };
  /** SMTP_URL (nodemailer): expiry warnings and revocations are emailed to the owner and the domain's managers. */
  smtpUrl?: string;
  /** SMTP_FROM: the sender of those emails. */
  smtpFrom: string;
  /** LATCHKEY_TEST_CLOCK_FILE (test mode only): see lib/clock.ts. */
  testClockFile?: string;
  /** LATCHKEY_MAINTENANCE_INTERVAL_MS: how often housekeeping and expiry warnings run (default 60 s). */
  maintenanceIntervalMs: number;
  /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
  metricsToken?: string;
  /**
   * LATCHKEY_ALLOW_PRIVATE_OUTBOUND: webhooks and identity providers may reach loopback and private
   * addresses (lib/outbound-guard.ts). Default: only when PUBLIC_URL is a loopback URL.
   */
  allowPrivateOutbound: boolean;
  /**
   * LATCHKEY_TENANT_HOST_SUFFIX (`.id.example.com`): the host `{slug}.id.example.com` serves the
   * tenant `slug` at its root, as assigned hosts do (domain/tenants/hosts.ts).
   */
  tenantHostSuffix?: string;
}

/** LATCHKEY_TEST_CLOCK_FILE lets a test move the schedulers' time: never in production. */
export function parseTestClock(value: string | undefined, nodeEnv: string | undefined): string | undefined {
  if (!value) return undefined;
  if (nodeEnv === 'production')
    throw new Error('LATCHKEY_TEST_CLOCK_FILE is for tests only and is refused when NODE_ENV=production');
  return path.resolve(value);
}

function parseInterval(value: string | undefined): number {
  if (!value) return 60_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100 || ms > 86_400_000)
    throw new Error(`LATCHKEY_MAINTENANCE_INTERVAL_MS must be whole milliseconds from 100 to 86400000, got "${value}"`);
  return ms;
}

function parseSmtpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('SMTP_URL must be a URL such as smtp://user:pass@mail.example.com:587 or smtps://…');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, got ${url.protocol}//`);
  return value;
}

/** LATCHKEY_ALLOW_PRIVATE_OUTBOUND: 1 or 0; unset, on only for local development (a loopback PUBLIC_URL). */
export function parseAllowPrivateOutbound(value: string | undefined, publicUrl: string): boolean {
  const v = (value ?? '').trim();
  if (v === '') return isLoopbackHost(new URL(publicUrl).hostname);
  if (v === '1' || v === '0') return v === '1';
  throw new Error(`LATCHKEY_ALLOW_PRIVATE_OUTBOUND must be 1 or 0, got "${value}"`);
}

/**
 * DATABASE_URL: PostgreSQL or nothing (the embedded SQLite). Checked here, before any connection,
 * so that another database's URL is not sent to the PostgreSQL driver (which would fail later on
 * the host name, naming no setting). Only the scheme is echoed: the URL may hold a password.
 */
export function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  const example = 'postgres://user:password@host:5432/database';
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new Error(
      `DATABASE_URL must be a PostgreSQL URL such as ${example}${scheme ? `, not ${scheme}://…` : ''}; unset it to use the embedded SQLite database`,
    );
  }
  try {
    new URL(value);
  } catch {
    throw new Error(
      `DATABASE_URL is not a valid URL: write it as ${example} (percent-encode special characters in the password)`,
    );
  }
  return value;
}

/** GITLAB_REVOCATION_TOKEN: a pre-shared secret a caller presents; a short one could be guessed. */
export const MIN_GITLAB_TOKEN_LENGTH = 32;

function parseGitlabToken(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < MIN_GITLAB_TOKEN_LENGTH) {
    throw new Error(
      `GITLAB_REVOCATION_TOKEN must be at least ${MIN_GITLAB_TOKEN_LENGTH} characters (a random one: openssl rand -base64 32), got ${value.length}`,
    );
  }
  return value;
}

const MAX_WORKERS = 256;

/** LATCHKEY_WORKERS: how many server processes; SQLite is one process by design. */
export function parseWorkers(value: string | undefined, databaseUrl: string | undefined): number {
  const v = (value ?? '').trim();
  if (v === '') return 1;
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_WORKERS) {
    throw new Error(`LATCHKEY_WORKERS must be a whole number of processes from 1 to ${MAX_WORKERS}, got "${value}"`);
  }
  const workers = Number(v);
  if (workers > 1 && !databaseUrl) {
    throw new Error(
      `LATCHKEY_WORKERS=${workers} needs PostgreSQL (set DATABASE_URL): the embedded SQLite database is served by one process`,
    );
  }
  return workers;
}

// proxy-addr's names for the usual private ranges.
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: a number of hops (`1`: one reverse proxy appends the caller's address), or a comma
 * separated list of proxy addresses / CIDRs. `true` or `all` would believe the left-most,
 * caller-written entry, so any client could pick the address every per-address throttle sees:
 * refused.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] {
  const v = (value ?? '').trim();
  if (v === '' || v === '0' || v.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (['true', 'all', '*'].includes(v.toLowerCase())) {
    throw new Error(
      `TRUST_PROXY=${v} would trust a forged X-Forwarded-For from any client; set the number of proxy hops in front of Latchkey (1 for one reverse proxy) or the proxies' addresses`,
    );
  }
  const entries = v
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const e of entries) {
    if (PROXY_RANGE_NAMES.has(e)) continue;
    const [addr, bits, extra] = e.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
      throw new Error(
        `TRUST_PROXY must be a number of hops or a comma-separated list of IP addresses or CIDRs, got "${e}"`,
      );
    }
  }
  return entries;
}

/**
 * LATCHKEY_TENANT_HOST_SUFFIX: a dot, then a DNS name of two labels or more. PUBLIC_URL's host may
 * end with it (login.id.example.com under one wildcard certificate): it keeps path tenancy.
 */
export function parseTenantHostSuffix(value: string | undefined): string | undefined {
  const v = (value ?? '').trim();
  if (v === '') return undefined;
  const problem = v.startsWith('.') ? hostProblem(v.slice(1)) : 'must start with a dot';
  if (problem)
    throw new Error(
      `LATCHKEY_TENANT_HOST_SUFFIX="${v}" ${problem}; write it as .id.example.com, so that acme.id.example.com serves the tenant acme`,
    );
  return v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST || '127.0.0.1';
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const publicUrl = (env.PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  return {
    host,
    port,
    publicUrl,
    dataDir: path.resolve(env.LATCHKEY_DATA_DIR || '.latchkey'),
    databaseUrl: parseDatabaseUrl(env.DATABASE_URL),
    redisUrl: env.REDIS_URL || undefined,
    masterKey: env.LATCHKEY_MASTER_KEY || undefined,
    bootstrapEmail: env.LATCHKEY_BOOTSTRAP_EMAIL || undefined,
    bootstrapPassword: env.LATCHKEY_BOOTSTRAP_PASSWORD || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    keyRotationSeconds: Number(env.LATCHKEY_KEY_ROTATION_SECONDS || 30 * 86400),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    workers: parseWorkers(env.LATCHKEY_WORKERS, env.DATABASE_URL || undefined),
    secretScanning: {
      githubKeysUrl: env.GITHUB_SECRET_SCANNING_KEYS_URL || 'https://api.github.com/meta/public_keys/secret_scanning',
      githubKeysMinRefreshSeconds: Number(env.GITHUB_SECRET_SCANNING_KEYS_MIN_REFRESH_SECONDS ?? 60),
      gitlabToken: parseGitlabToken(env.GITLAB_REVOCATION_TOKEN),
    },
    smtpUrl: parseSmtpUrl(env.SMTP_URL),
    smtpFrom: env.SMTP_FROM || `Latchkey <latchkey@${new URL(publicUrl).hostname}>`,
    testClockFile: parseTestClock(env.LATCHKEY_TEST_CLOCK_FILE, env.NODE_ENV),
    maintenanceIntervalMs: parseInterval(env.LATCHKEY_MAINTENANCE_INTERVAL_MS),
    metricsToken: env.METRICS_TOKEN || undefined,
    allowPrivateOutbound: parseAllowPrivateOutbound(env.LATCHKEY_ALLOW_PRIVATE_OUTBOUND, publicUrl),
    tenantHostSuffix: parseTenantHostSuffix(env.LATCHKEY_TENANT_HOST_SUFFIX),
  };
}
