// The sample API's settings, from the environment. It knows only where Latchkey is and its own audience.
import type { ClientCredentials } from './verifier/introspection.js';
import { checkIssuers } from './verifier/issuers.js';

export interface ResourceServerConfig {
  host: string;
  port: number;
  /** Base URL of the authorization server; tenant metadata is discovered under it (RFC 8414). */
  latchkeyUrl?: string;
  /** Tenants' own issuers (LATCHKEY_ISSUERS), in either form. */
  issuers?: Record<string, string[]>;
  audience: string;
  /** false only with VERIFY=off, for benchmarks: every request is served without a token. */
  verify: boolean;
  logLevel: string;
  clockToleranceSeconds: number;
  /** Introspection mode (RFC 7662) when client credentials are given per tenant. */
  introspection?: { credentials: Record<string, ClientCredentials>; cacheSeconds: number };
}

export class ConfigError extends Error {}

function number(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function introspection(env: NodeJS.ProcessEnv): ResourceServerConfig['introspection'] {
  const raw = env.INTROSPECTION_CREDENTIALS;
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'INTROSPECTION_CREDENTIALS must be JSON: {"<tenant>": {"clientId": "…", "clientSecret": "…"}}',
    );
  }
  const credentials: Record<string, ClientCredentials> = {};
  for (const [tenant, c] of Object.entries(parsed as Record<string, Partial<ClientCredentials>>)) {
    if (typeof c?.clientId !== 'string' || typeof c?.clientSecret !== 'string') {
      throw new ConfigError(`INTROSPECTION_CREDENTIALS.${tenant} needs string clientId and clientSecret`);
    }
    credentials[tenant] = { clientId: c.clientId, clientSecret: c.clientSecret };
  }
  return { credentials, cacheSeconds: number(env, 'INTROSPECTION_CACHE_SECONDS', 10, 0, 300) };
}

function issuers(env: NodeJS.ProcessEnv): Record<string, string[]> | undefined {
  const raw = env.LATCHKEY_ISSUERS;
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('LATCHKEY_ISSUERS must be JSON: {"<tenant>": "https://<tenant host>" or ["<issuer>", …]}');
  }
  try {
    return Object.fromEntries(checkIssuers(parsed as Record<string, string>));
  } catch (err) {
    throw new ConfigError(`LATCHKEY_ISSUERS: ${(err as Error).message}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ResourceServerConfig {
  const port = number(env, 'PORT', 8081, 0, 65535);
  if (!Number.isInteger(port)) throw new ConfigError(`PORT must be a port number, got ${env.PORT}`);
  const pinned = issuers(env);
  // Listing issuers without LATCHKEY_URL trusts exactly those: no default server for the others.
  const latchkeyUrl = env.LATCHKEY_URL
    ? env.LATCHKEY_URL.replace(/\/+$/, '')
    : pinned
      ? undefined
      : 'http://127.0.0.1:8080';
  if (latchkeyUrl !== undefined) {
    try {
      new URL(latchkeyUrl);
    } catch {
      throw new ConfigError(`LATCHKEY_URL must be an absolute URL, got ${JSON.stringify(latchkeyUrl)}`);
    }
  }
  const verifyRaw = (env.VERIFY || 'on').toLowerCase();
  if (verifyRaw !== 'on' && verifyRaw !== 'off')
    throw new ConfigError(`VERIFY must be "on" or "off", got ${JSON.stringify(env.VERIFY)}`);
  const verify = verifyRaw === 'on';
  if (!verify && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'VERIFY=off is refused when NODE_ENV=production: it serves every request without checking its token',
    );
  }
  return {
    host: env.HOST || '127.0.0.1',
    port,
    latchkeyUrl,
    issuers: pinned,
    audience: env.AUDIENCE || 'urn:latchkey:sample-api',
    verify,
    logLevel: env.LOG_LEVEL || 'info',
    clockToleranceSeconds: number(env, 'CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
    introspection: introspection(env),
  };
}
