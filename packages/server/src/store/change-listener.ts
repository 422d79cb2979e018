import pg from 'pg';
import type { ChangeFeed } from './change-feed.js';
import { CHANGES_CHANNEL, decodeChanges } from './change-notify.js';
import { CONNECT_TIMEOUT_MS } from './availability.js';

/** Names the connection in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'latchkey-changes';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;

export interface ListenerLog {
  lost(err: Error | undefined): void;
  reconnected(): void;
  /** The first attempt to reconnect after a loss failed (later attempts, with backoff, are not told). */
  failed(err: Error): void;
}

const SILENT: ListenerLog = { lost: () => {}, reconnected: () => {}, failed: () => {} };

/**
 * PostgreSQL: hears the changes other processes commit, on one dedicated connection that LISTENs.
 * Notifications sent while it is down are lost (PostgreSQL keeps none for a listener that is gone),
 * so after reconnecting it LISTENs again and tells every subscriber to drop what it holds.
 */
export class PgChangeListener {
  private client?: pg.Client;
  private stopped = false;
  private retryMs = FIRST_RETRY_MS;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly databaseUrl: string,
    private readonly feed: ChangeFeed,
    private readonly log: ListenerLog = SILENT,
  ) {
    feed.connected = false;
  }

  /** Resolves once LISTEN is in place (a failure here is the caller's: the database is unreachable). */
  async start(): Promise<void> {
    await this.connect();
    this.feed.connected = !this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.feed.connected = false;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    // Until LISTEN is in place a failure is the caller's to handle; after, it means reconnecting.
    let established = false;
    let lost = false;
    const onLost = (err?: Error) => {
      if (!established || lost) return;
      lost = true;
      this.feed.connected = false;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => {});
      if (this.stopped) return;
      this.log.lost(err);
      this.retry();
    };
    client.on('notification', (msg) => {
      if (msg.channel !== CHANGES_CHANNEL || !msg.payload) return;
      const payload = decodeChanges(msg.payload);
      if (payload) this.feed.received(payload.o, payload.c, typeof payload.t === 'number' ? payload.t : undefined);
    });
    client.on('error', onLost);
    client.on('end', () => onLost());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    established = true;
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
  }

  private retry(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      try {
        await this.connect();
      } catch (err) {
        if (this.retryMs === FIRST_RETRY_MS) this.log.failed(err as Error);
        this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
        this.retry();
        return;
      }
      if (this.stopped) return;
      // Whatever was announced while we were away is unknown: start afresh.
      this.feed.connected = true;
      this.feed.missed();
      this.log.reconnected();
    }, this.retryMs);
  }
}
