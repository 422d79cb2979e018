// The price of offline token verification in the sample API: the same authenticated GET against
// the sample API process twice, once verifying every token (ES256 signature against the cached
// JWKS, typ, iss, aud, exp) and once with VERIFY=off, the same server minus verification. The
// authorization server is only asked for its metadata and keys once, before the measurement.
//
//   const r = await benchResourceServer({ latchkeyUrl: origin, accessToken, connections, seconds, warmupSeconds });
//   // r.ratio = verified req/s ÷ unverified req/s; r.verified / r.unverified are table rows.
import { measure, type LoadRequest, type Measurement } from './lib/autocannon.js';
import { send } from './lib/http.js';
import { BenchError, freePort, startNode, waitForHttp } from './lib/processes.js';

export interface ResourceServerBenchOptions {
  /** Origin of a running Latchkey whose PUBLIC_URL is that same origin (token issuers must match). */
  latchkeyUrl: string;
  /** An access token of tenant `demo` with scope `myservices` (audience urn:latchkey:sample-api), valid for the whole run. */
  accessToken: string;
  connections?: number;
  seconds?: number;
  warmupSeconds?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ResourceServerBenchResult {
  verified: Measurement;
  unverified: Measurement;
  verifiedRps: number;
  unverifiedRps: number;
  /** verifiedRps / unverifiedRps */
  ratio: number;
  p50: { verified: number; unverified: number };
  p99: { verified: number; unverified: number };
}

export const RESOURCE_SERVER_SCRIPT = 'packages/resource-server/src/main.ts';
export const RESOURCE_PATH = '/t/demo/myservices/api/v1/serviceEntitlements';

async function measureSampleApi(name: string, verify: boolean, opts: ResourceServerBenchOptions): Promise<Measurement> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const proc = startNode(name, RESOURCE_SERVER_SCRIPT, {
    HOST: '127.0.0.1',
    PORT: String(port),
    LATCHKEY_URL: opts.latchkeyUrl,
    LOG_LEVEL: 'warn',
    // Not production, or VERIFY=off is refused; the same value for both runs keeps them comparable.
    NODE_ENV: 'benchmark',
    VERIFY: verify ? 'on' : 'off',
  });
  // The same request both times, Authorization header included, so only verification differs.
  const request: LoadRequest = {
    method: 'GET',
    path: RESOURCE_PATH,
    headers: { authorization: `Bearer ${opts.accessToken}` },
  };
  try {
    await waitForHttp(`${origin}/healthz`, proc, 30_000);
    // A server that does not verify what it claims to would make the ratio meaningless.
    const anonymous = await send('GET', origin + RESOURCE_PATH, {}, undefined, 10_000);
    if (verify && anonymous.status !== 401)
      throw new BenchError(`${name}: a request without a token answered ${anonymous.status}, expected 401`);
    if (!verify && anonymous.status !== 200)
      throw new BenchError(`${name}: VERIFY=off answered ${anonymous.status} without a token, expected 200`);
    return await measure({
      name,
      origin,
      request,
      connections: opts.connections ?? 10,
      seconds: opts.seconds ?? 5,
      warmupSeconds: opts.warmupSeconds ?? 1,
    });
  } catch (err) {
    if (err instanceof BenchError && !err.message.includes('last output')) {
      err.message += `\n  ${name}'s last output:\n${proc.tail().replace(/^/gm, '    ') || '    (none)'}`;
    }
    throw err;
  } finally {
    await proc.stop();
  }
}

/** Starts the sample API with verification on, then off (one at a time), and measures both. */
export async function benchResourceServer(opts: ResourceServerBenchOptions): Promise<ResourceServerBenchResult> {
  const log = opts.log ?? (() => {});
  const line = (m: Measurement) =>
    `${Math.round(m.rps)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.note ? ` (${m.note})` : ''}`;
  log(`  sample API, tokens verified … `);
  const verified = await measureSampleApi('sample API (tokens verified)', true, opts);
  log(`    ${line(verified)}`);
  log(`  sample API, VERIFY=off … `);
  const unverified = await measureSampleApi('sample API (VERIFY=off)', false, opts);
  log(`    ${line(unverified)}`);
  return {
    verified,
    unverified,
    verifiedRps: verified.rps,
    unverifiedRps: unverified.rps,
    ratio: verified.rps / unverified.rps,
    p50: { verified: verified.p50, unverified: unverified.p50 },
    p99: { verified: verified.p99, unverified: unverified.p99 },
  };
}
