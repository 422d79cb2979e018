// Load generation with autocannon, bounded in time, with sub-millisecond latency percentiles
// (autocannon's own histogram has 1 ms resolution, too coarse on loopback) and per-connection
// request chains (each request built from the previous answer on the same connection).
import autocannon from 'autocannon';
import { send } from './http.js';
import { BenchError } from './errors.js';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A chain per connection: `start()` gives a connection its initial state, `build(state)` the request,
 * `next(body, state)` the state for the next request from a 2xx answer (e.g. a rotated refresh token).
 */
export interface Chain<S> {
  start(): S;
  build(state: S): LoadRequest;
  next(body: string, state: S): S;
}

export interface LoadSpec {
  name: string;
  /** Origin, e.g. http://127.0.0.1:1234 */
  origin: string;
  /** A fixed request, or a chain of requests per connection. */
  request?: LoadRequest;
  chain?: Chain<any>;
  connections: number;
  seconds: number;
  /** A run of this many seconds first, not recorded (0: none). A chain gets fresh states for it. */
  warmupSeconds: number;
}

export interface Measurement {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  note?: string;
}

interface RunOutcome {
  ok: number;
  failed: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  seconds: number;
  latencies: number[];
}

function runOnce(spec: LoadSpec, seconds: number): Promise<RunOutcome> {
  const latencies: number[] = [];
  const chain = spec.chain;
  const opts: autocannon.Options = {
    url: spec.origin,
    connections: spec.connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    ...(spec.request
      ? {
          method: spec.request.method,
          requests: [
            {
              method: spec.request.method,
              path: spec.request.path,
              headers: spec.request.headers,
              body: spec.request.body,
            },
          ],
        }
      : {}),
    setupClient(client: any) {
      client.on('response', (status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) latencies.push(ms);
      });
      if (!chain) return;
      // State lives in this closure, one per connection (autocannon resets its own `context`
      // whenever it loops over the request list, so it cannot carry state from one request to the next).
      let state = chain.start();
      client.setRequests([
        {
          method: 'POST',
          path: '/',
          setupRequest: (req: any) => ({ ...req, ...chain.build(state) }),
          onResponse: (status: number, body: string) => {
            if (status >= 200 && status < 300) state = chain.next(body, state);
          },
        },
      ]);
    },
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    autocannon(opts, (err: Error | null, result: autocannon.Result) => {
      if (err) return reject(err);
      const statusCodes: Record<string, number> = {};
      for (const [code, s] of Object.entries((result as any).statusCodeStats ?? {}))
        statusCodes[code] = (s as any).count;
      resolve({
        ok: result['2xx'],
        failed: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
        seconds: result.duration || (performance.now() - started) / 1000,
        latencies,
      });
    });
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Probes the fixed request once (a clear error instead of a table of failures), then measures it. */
export async function measure(spec: LoadSpec): Promise<Measurement> {
  if (spec.request) {
    const r = spec.request;
    const res = await send(r.method, spec.origin + r.path, r.headers, r.body, 10_000).catch((err) => {
      throw new BenchError(`${spec.name}: ${r.method} ${r.path} failed: ${(err as Error).message}`);
    });
    if (res.status < 200 || res.status > 299)
      throw new BenchError(
        `${spec.name}: ${r.method} ${r.path} answered HTTP ${res.status}: ${res.text.slice(0, 500)}`,
      );
  }
  if (spec.warmupSeconds > 0) await runOnce(spec, spec.warmupSeconds);
  const out = await runOnce(spec, spec.seconds);
  if (out.ok === 0) {
    throw new BenchError(
      `${spec.name}: no successful answer in ${spec.seconds} s (status codes ${JSON.stringify(out.statusCodes)}, ${out.errors} connection errors)`,
    );
  }
  const sorted = Float64Array.from(out.latencies).sort();
  const notes: string[] = [];
  if (out.failed > 0) {
    const codes = Object.entries(out.statusCodes)
      .filter(([c]) => !c.startsWith('2'))
      .map(([c, n]) => `${n}×${c}`)
      .join(', ');
    notes.push(`${out.failed} non-2xx answers (${codes}) not counted`);
  }
  if (out.errors > 0) notes.push(`${out.errors} connection errors/timeouts`);
  return {
    name: spec.name,
    rps: out.ok / out.seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    ok: out.ok,
    failed: out.failed,
    note: notes.join('; ') || undefined,
  };
}
