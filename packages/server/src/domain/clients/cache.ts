import type { UnitOfWork } from '../ports.js';
import type { Client } from './model.js';
import type { Announcement } from '../changes.js';
import { TtlCache, type ReadThroughStats } from '../../lib/ttl-cache.js';
import { MAX_LENGTH } from '../limits.js';

const SEP = '\u0000';

/**
 * Clients are looked up on every token request; the token endpoint must not wait on the store.
 * Every write to a client announces `client.changed` (see TtlCache). An id
 * longer than any client's is unknown without a lookup, and is not cached.
 */
export class ClientCache {
  private readonly cache: TtlCache<Client | undefined>;

  constructor(store: UnitOfWork, ttlMs = 2000) {
    this.cache = new TtlCache(
      (key) => {
        const [tenantId, clientId] = key.split(SEP);
        return store.clients.byClientId(tenantId, clientId);
      },
      ttlMs,
      100_000,
      64 * 1024 * 1024,
    );
  }

  get(tenantId: string, clientId: string): Promise<Client | undefined> {
    if (clientId.length > MAX_LENGTH.clientId) return Promise.resolve(undefined);
    return this.cache.get(tenantId + SEP + clientId);
  }

  onChange(change: Announcement): void {
    if (change.type === 'client.changed') this.cache.delete(change.tenantId + SEP + change.clientId);
    else if (change.type === 'changes.missed') this.cache.clear();
  }

  stats(): ReadThroughStats {
    return this.cache.stats();
  }
}
