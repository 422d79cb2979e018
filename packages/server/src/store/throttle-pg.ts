import { sql } from 'kysely';
import type { Db } from './db.js';
import type { ThrottleBackend, ThrottleEntry } from '../domain/throttle/shared-store.js';
import type { ThrottleRule } from '../domain/throttle/policies.js';
import { activeLock, lockFor } from '../domain/throttle/store.js';

// Throttle keys separate their parts with NUL, which PostgreSQL text cannot hold: stored in their
// JSON form (escaped, and still one stored key per key).
const stored = (key: string) => JSON.stringify(key);

/** Throttle entries in PostgreSQL, one row per key, counted with atomic upserts. */
export class PgThrottleBackend implements ThrottleBackend {
  constructor(private readonly db: Db) {}

  async read(keys: string[], now: number): Promise<Map<string, ThrottleEntry>> {
    const rows = await this.db.selectFrom('throttle_entries').select(['key', 'locked_until', 'expires_at'])
      .where('key', '=', sql<string>`any(${[...new Set(keys)].map(stored)}::text[])`).where('expires_at', '>', now).execute();
    return new Map(rows.map((r) => [JSON.parse(r.key) as string, { lockedUntil: r.locked_until, expiresAt: r.expires_at }]));
  }

  async fail(name: string, rule: ThrottleRule, now: number): Promise<number> {
    const key = stored(name);
    // Failures further apart than the window start the count afresh (and end any lock).
    const stale = sql<boolean>`throttle_entries.last_at < ${now - rule.windowMs}`;
    const row = await this.db.insertInto('throttle_entries')
      .values({ key, count: 1, last_at: now, locked_until: 0, expires_at: now + rule.windowMs })
      .onConflict((oc) => oc.column('key').doUpdateSet({
        count: sql`case when ${stale} then 1 else throttle_entries.count + 1 end`,
        locked_until: sql`case when ${stale} then 0 else throttle_entries.locked_until end`,
        last_at: now,
        expires_at: sql`greatest(throttle_entries.expires_at, ${now + rule.windowMs})`,
      }))
      .returning(['count', 'locked_until']).executeTakeFirstOrThrow();
    const lock = lockFor(rule, row.count);
    if (lock === 0) return activeLock(row.locked_until, now);
    // Concurrent failures may finish in any order: the longest lock stands.
    const locked = await this.db.updateTable('throttle_entries').where('key', '=', key).set({
      locked_until: sql`greatest(locked_until, ${now + lock})`,
      expires_at: sql`greatest(expires_at, ${now + lock})`,
    }).returning('locked_until').executeTakeFirst();
    return locked?.locked_until ?? now + lock;
  }

  async locks(now: number, max: number): Promise<Map<string, number> | null> {
    const rows = await this.db.selectFrom('throttle_entries').select(['key', 'locked_until'])
      .where('locked_until', '>', now).limit(max + 1).execute();
    if (rows.length > max) return null;
    return new Map(rows.map((r) => [JSON.parse(r.key) as string, r.locked_until]));
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('throttle_entries').where('key', '=', stored(key)).execute();
  }

  async keep(key: string, until: number): Promise<void> {
    await this.db.insertInto('throttle_entries').values({ key: stored(key), count: 0, last_at: until, locked_until: 0, expires_at: until })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: until })).execute();
  }

  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom('throttle_entries').where('expires_at', '<=', now).execute();
  }

  async close(): Promise<void> {}
}
