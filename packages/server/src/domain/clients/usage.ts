import type { Store } from '../../store/index.js';
import type { Client } from './model.js';

/**
 * Records when clients are used without a store write per request: uses are kept in memory and
 * flushed in one batch every few seconds. The first use of a client is audited at flush time.
 */
export class UsageTracker {
  private pending = new Map<string, { client: Client; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: Store, private readonly intervalMs = 5000) {}

  touch(client: Client): void {
    this.pending.set(client.id, { client, at: Date.now() });
    if (!this.timer) {
      this.timer = setTimeout(() => { this.timer = undefined; void this.flush(); }, this.intervalMs);
      this.timer.unref();
    }
  }

  /** Writes pending uses; safe to call any time (tests, shutdown). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow()).catch(() => {});
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await this.store.transaction(async (tx) => {
      const firstUse = await tx.clients.recordUsage(new Map([...batch].map(([id, u]) => [id, u.at])));
      for (const id of firstUse) {
        const u = batch.get(id)!;
        await tx.audit.append({
          tenantId: u.client.tenantId, actorType: 'client', actorId: u.client.clientId, action: 'client.first_used',
          targetType: u.client.kind === 'app' ? 'app' : 'oauth2_client', targetId: id, at: u.at, details: { name: u.client.name },
        });
      }
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
