import type pg from 'pg';

// "cached plan must not change result type": a prepared `select *` whose table gained a column
// (a newer process migrated the schema while this one runs).
const PLAN_CHANGED = '0A000';

/**
 * Kysely sends every query as text and parameters, which PostgreSQL parses and plans anew each
 * time; on the hot paths (a rotation, a token lookup) that costs more than running the statement.
 * Here each distinct SQL text with parameters gets a name (up to `max` texts, so queries with
 * variable `in (...)` lists stay bounded), and each pooled connection parses and plans it once
 * (pg remembers which connection prepared which name), then only binds and executes it.
 * A statement whose prepared plan became invalid is sent unnamed from then on. Only promise-style
 * calls with parameters (as Kysely makes them) are named.
 */
export function prepareStatements(pool: pg.Pool, max = 500): void {
  const names = new Map<string, string | null>();
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as { query: unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) {
        return query(text, values, callback);
      }
      let name = names.get(text);
      if (name === undefined && names.size < max) names.set(text, (name = `latchkey_${names.size}`));
      if (!name) return query(text, values);
      return (query({ name, text, values }) as Promise<unknown>).catch((err: { code?: string }) => {
        if (err.code !== PLAN_CHANGED) throw err;
        names.set(text, null);
        return query(text, values);
      });
    };
  });
}
