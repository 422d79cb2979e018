import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Announcement } from './domain/changes.js';
import type { ChangeSource, FeedObserver } from './store/change-feed.js';
import type { PoolUsage } from './store/db.js';
import type { ReadThroughStats } from './lib/ttl-cache.js';
import { SeriesHistogram, type HistogramSeries } from './lib/series-histogram.js';
import './http/types.js';

const require = createRequire(import.meta.url);
type DefaultMetric = (registry: Registry, config: { prefix: string; eventLoopMonitoringPrecision: number }) => void;
/**
 * prom-client's default metrics (collectDefaultMetrics), each from its own module, all but one: its
 * GC-duration histogram observes every garbage collection through a PerformanceObserver, which with
 * a 1 MB young generation (a scavenge every 30 or so token requests) cost 7–10 µs of CPU per
 * client_credentials request, about 6 % of it (measured side by side).
 */
const PROCESS_METRICS = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'eventLoopLag',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
];

/** The grants a token request may name; anything else is counted as `other` (the label stays bounded). */
const GRANTS = [
  'client_credentials',
  'password',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
] as const;
const NO_GRANT = '';
const OTHER = 'other';
const TOKEN_ROUTE_SUFFIX = '/oauth2/v1/token';
/** RFC 6749 §5.2 and the codes this server adds; a refusal with another code is counted as `other`. */
const ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'temporarily_unavailable',
  'server_error',
]);

/** A counter's series counted in a plain number, handed to prom-client at scrape time. */
interface Count {
  readonly labels: Record<string, string>;
  n: number;
}

interface RouteSeries {
  requests: Count;
  duration: HistogramSeries;
  /** A token request answered with tokens: its grant's issued count. */
  issued?: Count;
}

/** The per-route series, made once per (route, method, status, grant): a request then costs a few additions. */
interface RouteEntry {
  route: string;
  method: string;
  token: boolean;
  series: Map<number, RouteSeries>;
}

export interface CacheSources {
  [name: string]: { stats(): ReadThroughStats };
}

/**
 * This process's Prometheus metrics (prom-client), in a registry of its own so that several apps in
 * one process (the tests) do not mix. Labels are bounded: route patterns, never URLs; grant types
 * and RFC 6749 error codes from fixed sets; no tenants, clients or users. When clustered, every
 * series carries `worker` (the cluster worker id).
 */
export class Metrics implements FeedObserver {
  readonly registry = new Registry();
  private readonly requests: Count[] = [];
  private readonly duration: SeriesHistogram;
  private readonly durations = new Map<string, HistogramSeries>();
  private readonly issued = new Map<string, Count>();
  private readonly refused: Counter<string>;
  private readonly reuse: Counter<string>;
  private readonly changes: Counter<string>;
  private readonly lagSeconds: Histogram<string>;
  private readonly usageFlushFailures: Counter<string>;
  private readonly routes = new WeakMap<object, RouteEntry>();

  constructor(caches: CacheSources) {
    const registers = [this.registry];
    if (cluster.isWorker && cluster.worker) this.registry.setDefaultLabels({ worker: String(cluster.worker.id) });
    // Requests are counted in plain numbers (see observe) that these read at scrape time.
    const counted = (name: string, help: string, labelNames: string[], counts: () => Iterable<Count>) =>
      new Counter({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const c of counts()) if (c.n > 0) this.inc(c.labels, c.n);
        },
      });
    counted(
      'latchkey_http_requests_total',
      'HTTP requests answered, by route pattern, method, status and (token endpoint) grant type',
      ['route', 'method', 'status', 'grant'],
      () => this.requests,
    );
    this.duration = new SeriesHistogram(
      'latchkey_http_request_duration_seconds',
      'Time to answer an HTTP request, by route pattern, method and (token endpoint) grant type',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      this.registry,
    );
    counted('latchkey_tokens_issued_total', 'Token requests answered with tokens, by grant type', ['grant'], () =>
      this.issued.values(),
    );
    this.refused = new Counter({
      name: 'latchkey_token_refusals_total',
      help: 'Token requests refused, by grant type and RFC 6749 error code',
      labelNames: ['grant', 'error'],
      registers,
    });
    this.reuse = new Counter({
      name: 'latchkey_refresh_token_reuse_detected_total',
      help: 'Rotated refresh tokens presented again: their whole grant was revoked',
      registers,
    });
    this.changes = new Counter({
      name: 'latchkey_changes_received_total',
      help: "Committed changes delivered to this process's caches, by change type and source (local: made here; remote: notified by another process)",
      labelNames: ['type', 'source'],
      registers,
    });
    this.lagSeconds = new Histogram({
      name: 'latchkey_change_notification_lag_seconds',
      help: 'From another process queuing a change notification at its commit to this process receiving it (PostgreSQL)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.usageFlushFailures = new Counter({
      name: 'latchkey_usage_flush_failures_total',
      help: 'Batched writes of client uses (last used, first-use audit) that failed, the database away; their uses wait for the next flush',
      registers,
    });
    const cacheReads = new Counter({
      name: 'latchkey_cache_reads_total',
      help: 'Cache reads, by cache and result (hit: answered from memory; miss: read from the store)',
      labelNames: ['cache', 'result'],
      registers,
      // Read at scrape time from the caches' own counts: nothing is added to the read path.
      collect() {
        this.reset();
        for (const [name, cache] of Object.entries(caches)) {
          const s = cache.stats();
          this.inc({ cache: name, result: 'hit' }, s.hits);
          this.inc({ cache: name, result: 'miss' }, s.misses);
        }
      },
    });
    void cacheReads;
    new Gauge({
      name: 'latchkey_cache_entries',
      help: 'Entries held, by cache',
      labelNames: ['cache'],
      registers,
      collect() {
        for (const [name, cache] of Object.entries(caches)) this.set({ cache: name }, cache.stats().entries);
      },
    });
  }

  /** The server's own process: CPU, memory, event-loop delay, heap (prom-client's defaults, less GC durations). */
  collectProcessMetrics(): void {
    for (const name of PROCESS_METRICS) {
      (require(`prom-client/lib/metrics/${name}`) as DefaultMetric)(this.registry, {
        prefix: 'latchkey_',
        eventLoopMonitoringPrecision: 10,
      });
    }
  }

  /** PostgreSQL: the pool's connections, read at scrape time. */
  watchPool(pool: PoolUsage): void {
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    gauge('latchkey_db_pool_connections', 'Connections open in the database pool', () => pool.totalCount);
    gauge('latchkey_db_pool_idle_connections', 'Open pool connections not in use', () => pool.idleCount);
    gauge('latchkey_db_pool_waiting_requests', 'Queries waiting for a pool connection', () => pool.waitingCount);
  }

  refreshReuseDetected(): void {
    this.reuse.inc();
  }

  delivered(change: Announcement, source: ChangeSource): void {
    this.changes.inc({ type: change.type, source });
  }

  lag(ms: number): void {
    this.lagSeconds.observe(ms / 1000);
  }

  usageFlushFailed(): void {
    this.usageFlushFailures.inc();
  }

  /**
   * onResponse: after the first request of a kind, a map lookup and a few additions; nothing is
   * hashed or allocated per request (prom-client reads the counts at scrape time).
   */
  observe(request: FastifyRequest, reply: FastifyReply): void {
    // Fastify builds (and freezes) a new routeOptions object on every read: read it once.
    const route = request.routeOptions;
    const config = route.config as object | undefined;
    const url = route.url;
    // Requests that matched no route are one series: their URLs are whatever a client sent.
    const entry = !config || url === undefined ? this.unmatched : this.entry(config, url, request.method);
    const grant = entry.token ? grantIndex(request) : -1;
    const status = reply.statusCode;
    const key = status * 8 + grant + 1;
    let series = entry.series.get(key);
    if (!series) entry.series.set(key, (series = this.newSeries(entry, status, grant)));
    series.requests.n++;
    this.duration.observe(series.duration, reply.elapsedTime / 1000);
    if (series.issued) series.issued.n++;
    else if (entry.token) this.refusal(grant, reply);
  }

  private readonly unmatched: RouteEntry = { route: 'unmatched', method: 'other', token: false, series: new Map() };

  private entry(config: object, url: string, method: string): RouteEntry {
    let entry = this.routes.get(config);
    if (!entry) {
      entry = { route: url, method, token: url.endsWith(TOKEN_ROUTE_SUFFIX), series: new Map() };
      this.routes.set(config, entry);
    }
    return entry;
  }

  private newSeries(entry: RouteEntry, status: number, grant: number): RouteSeries {
    const g = grantLabel(grant);
    const requests = { labels: { route: entry.route, method: entry.method, status: String(status), grant: g }, n: 0 };
    this.requests.push(requests);
    const key = `${entry.route} ${entry.method} ${g}`;
    let duration = this.durations.get(key);
    if (!duration) {
      duration = this.duration.series({ route: entry.route, method: entry.method, grant: g });
      this.durations.set(key, duration);
    }
    let issued: Count | undefined;
    if (entry.token && status < 400) {
      issued = this.issued.get(g);
      if (!issued) this.issued.set(g, (issued = { labels: { grant: g }, n: 0 }));
    }
    return { requests, duration, issued };
  }

  private refusal(grant: number, reply: FastifyReply): void {
    const code = reply.oauthError;
    this.refused.inc({ grant: grantLabel(grant), error: code && ERROR_CODES.has(code) ? code : OTHER });
  }
}

/** The `grant` label of a grantIndex: none off the token endpoint, `other` for grants not in GRANTS. */
const grantLabel = (grant: number): string => (grant < 0 ? NO_GRANT : grant < GRANTS.length ? GRANTS[grant] : OTHER);

function grantIndex(request: FastifyRequest): number {
  const g = (request.body as { grant_type?: unknown } | undefined)?.grant_type;
  const i = typeof g === 'string' ? (GRANTS as readonly string[]).indexOf(g) : -1;
  return i < 0 ? GRANTS.length : i;
}
