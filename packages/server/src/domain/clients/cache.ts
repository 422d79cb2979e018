import type { Store } from '../../store/index.js';
import type { Client } from './model.js';

/**
 * Clients are looked up on every token request; the token endpoint must not wait on the store.
 * Write paths (revoke, delete, regenerate, deactivate) call `invalidate`; other processes notice
 * within `ttlMs`.
 */
export class ClientCache {
  private readonly entries = new Map<string, { client: Client | undefined; at: number }>();

  constructor(private readonly store: Store, private readonly ttlMs = 2000) {}

  peek(tenantId: string, clientId: string): Client | undefined | null {
    const hit = this.entries.get(tenantId + '\u0000' + clientId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.client;
    return null; // null: not cached, ask the store
  }

  async get(tenantId: string, clientId: string): Promise<Client | undefined> {
    const cached = this.peek(tenantId, clientId);
    if (cached !== null) return cached;
    const client = await this.store.clients.byClientId(tenantId, clientId);
    if (this.entries.size > 100_000) this.entries.clear();
    this.entries.set(tenantId + '\u0000' + clientId, { client, at: Date.now() });
    return client;
  }

  invalidate(tenantId: string, clientId: string): void {
    this.entries.delete(tenantId + '\u0000' + clientId);
  }

  clear(): void {
    this.entries.clear();
  }
}
