import { sql } from 'kysely';
import type { Db } from './db.js';
import type { ThrottleBackend, ThrottleEntry } from '../domain/throttle/shared-store.js';

// Throttle keys separate their parts with NUL, which PostgreSQL text cannot hold: stored in their
// JSON form (escaped, and still one stored key per key).
const stored = (key: string) => JSON.stringify(key);

/** Throttle entries in PostgreSQL, one row per key, counted with atomic upserts. */
export class PgThrottleBackend implements ThrottleBackend {
  constructor(private readonly db: Db) {}

  async read(keys: string[], now: number): Promise<Map<string, ThrottleEntry>> {
    const rows = await this.db
      .selectFrom('throttle_entries')
      .select(['key', 'locked_until', 'expires_at'])
      .where('key', '=', sql<string>`any(${[...new Set(keys)].map(stored)}::text[])`)
      .where('expires_at', '>', now)
      .execute();
    return new Map(
      rows.map((r) => [JSON.parse(r.key) as string, { lockedUntil: r.locked_until, expiresAt: r.expires_at }]),
    );
  }

  async count(name: string, windowMs: number, now: number): Promise<{ failures: number; lockedUntil: number }> {
    const stale = sql<boolean>`throttle_entries.last_at < ${now - windowMs}`;
    const row = await this.db
      .insertInto('throttle_entries')
      .values({ key: stored(name), count: 1, last_at: now, locked_until: 0, expires_at: now + windowMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql`case when ${stale} then 1 else throttle_entries.count + 1 end`,
          locked_until: sql`case when ${stale} then 0 else throttle_entries.locked_until end`,
          last_at: now,
          expires_at: sql`greatest(throttle_entries.expires_at, ${now + windowMs})`,
        }),
      )
      .returning(['count', 'locked_until'])
      .executeTakeFirstOrThrow();
    return { failures: row.count, lockedUntil: row.locked_until };
  }

  async lock(name: string, until: number): Promise<number> {
    const locked = await this.db
      .updateTable('throttle_entries')
      .where('key', '=', stored(name))
      .set({
        locked_until: sql`greatest(locked_until, ${until})`,
        expires_at: sql`greatest(expires_at, ${until})`,
      })
      .returning('locked_until')
      .executeTakeFirst();
    return locked?.locked_until ?? until;
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('throttle_entries').where('key', '=', stored(key)).execute();
  }

  async keep(key: string, until: number): Promise<void> {
    await this.db
      .insertInto('throttle_entries')
      .values({ key: stored(key), count: 0, last_at: until, locked_until: 0, expires_at: until })
      .onConflict((oc) => oc.column('key').doUpdateSet({ expires_at: until }))
      .execute();
  }

  async sweep(now: number): Promise<void> {
    await this.db.deleteFrom('throttle_entries').where('expires_at', '<=', now).execute();
  }

  async close(): Promise<void> {}
}
