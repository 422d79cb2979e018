import type { UnitOfWork } from '../ports.js';
import type { ClientUse } from './ports.js';
import type { Client } from './model.js';
import { recordAudit } from '../audit/record.js';
import { BatchedFlush } from '../../lib/batched-flush.js';

/** Bounds on what a request can make us store about where it came from. */
const MAX_ADDRESS = 64;
const MAX_USER_AGENT = 256;

/** Where a use came from, as the token endpoint sees it (address = request.ip, so TRUST_PROXY applies). */
export interface UseOrigin {
  address?: string;
  userAgent?: string;
}

const cut = (s: string | undefined, max: number): string | null => (s ? s.slice(0, max) : null);

/**
 * Records when and from where clients are used without a store write per request: the latest use
 * of each client is kept in memory and flushed in one batch every few seconds, and on close (the
 * server's shutdown path), so a clean stop loses nothing. The first use of a client is audited at
 * flush time. A flush that fails (the database is away) keeps its uses for the next one, and is
 * told to `flushFailed` (the composition root counts it on /metrics).
 */
export class UsageTracker {
  private pending = new Map<string, { client: Client; use: ClientUse }>();
  private readonly batches: BatchedFlush;

  constructor(
    private readonly store: UnitOfWork,
    flushFailed: (err: unknown) => void = () => {},
    intervalMs = 5000,
  ) {
    this.batches = new BatchedFlush(() => this.flushNow(), flushFailed, intervalMs);
  }

  touch(client: Client, origin: UseOrigin = {}): void {
    this.pending.set(client.id, {
      client,
      use: {
        at: Date.now(),
        address: cut(origin.address, MAX_ADDRESS),
        userAgent: cut(origin.userAgent, MAX_USER_AGENT),
      },
    });
    this.batches.schedule();
  }

  /** Writes pending uses; safe to call any time (tests, shutdown). */
  flush(): Promise<void> {
    return this.batches.flush();
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.write(batch);
    } catch (err) {
      // The database was away: these uses (and first uses to audit) go with the next flush,
      // unless a newer use of the same client replaced them meanwhile.
      for (const [id, u] of batch) if (!this.pending.has(id)) this.pending.set(id, u);
      throw err;
    }
  }

  private async write(batch: Map<string, { client: Client; use: ClientUse }>): Promise<void> {
    await this.store.transaction(async (tx) => {
      const firstUse = await tx.clients.recordUsage(new Map([...batch].map(([id, u]) => [id, u.use])));
      for (const id of firstUse) {
        const u = batch.get(id)!;
        await recordAudit(tx, {
          tenantId: u.client.tenantId,
          actorType: 'client',
          actorId: u.client.clientId,
          action: 'client.first_used',
          targetType: u.client.kind === 'app' ? 'app' : 'oauth2_client',
          targetId: id,
          at: u.use.at,
          details: { name: u.client.name },
        });
      }
    });
  }

  close(): Promise<void> {
    return this.batches.close();
  }
}
