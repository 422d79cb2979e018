/**
 * The database went away (a restart, a failover, the network): the one condition every handler
 * answers alike, `503` with Retry-After, instead of a `500` per failed query. The store raises
 * it (db.ts converts the driver's errors where they leave the driver), so a refused connection to
 * anything else (a webhook receiver, an identity provider) is never mistaken for it.
 */
export class StoreUnavailable extends Error {
  /** What clients are told to wait: a restarting PostgreSQL is usually back within seconds. */
  readonly retryAfterSeconds = 2;

  constructor(cause: unknown) {
    super(`the database is unreachable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }

  /** What a client is told (the driver's message stays in the log). */
  get detail(): string {
    return `The server cannot reach its database right now; retry after ${this.retryAfterSeconds} seconds`;
  }
}

/**
 * How long a query waits for a connection (a new one, or a busy pool's next free one) before it
 * fails as StoreUnavailable: a database that does not answer must not hold requests indefinitely.
 * Refused connections (PostgreSQL stopped or restarting) fail at once.
 */
export const CONNECT_TIMEOUT_MS = 5000;

// SQLSTATE: the server is shutting down or crashed (57P01, 57P02), starting up or shutting down
// (57P03), out of connections (53300); class 08 is connection exceptions.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
// The socket: refused, reset, timed out, unreachable, the name does not resolve.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// node-postgres says these in words only: the socket ended, no connection within the pool's
// connectionTimeoutMillis, a query on a connection that already failed.
const DRIVER_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)/;

/** Whether an error of the PostgreSQL driver means the database cannot be reached right now. */
export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 3) return false;
  if (err instanceof StoreUnavailable) return true;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || NETWORK_CODES.has(code))
  )
    return true;
  if (DRIVER_MESSAGES.test(err.message)) return true;
  // Connecting to a name with several addresses fails with each of them.
  if (err instanceof AggregateError && err.errors.some((e) => isUnavailableError(e, depth + 1))) return true;
  return isUnavailableError(err.cause, depth + 1);
}

export interface OutageLog {
  /** The first failure of an outage. */
  down(err: Error): void;
  /** A connection succeeded again: how long it lasted, and how many failures it caused. */
  up(downMs: number, failures: number): void;
}

/**
 * Tells of an outage once, when it starts and when it ends, however many requests it refuses
 * meanwhile. It ends when a new connection to the database succeeds.
 */
export class OutageTracker {
  private since?: number;
  private failures = 0;

  constructor(private readonly log: OutageLog) {}

  failed(err: Error): void {
    this.failures++;
    if (this.since !== undefined) return;
    this.since = Date.now();
    this.log.down(err);
  }

  connected(): void {
    if (this.since === undefined) return;
    const ms = Date.now() - this.since;
    const failures = this.failures;
    this.since = undefined;
    this.failures = 0;
    this.log.up(ms, failures);
  }
}
