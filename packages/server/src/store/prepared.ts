import type { CompiledQuery, Compilable, QueryResult } from 'kysely';
import type { Db } from './db.js';

const PLACEHOLDER = '\u0000latchkey-arg-';

/**
 * A Kysely query compiled once per dialect and then run with new values. Kysely builds and compiles
 * its operation tree on every call, which on the hot paths (refresh-token rotation) costs more than
 * SQLite takes to run the statement. `build` is called once with placeholders: each argument must
 * reach the SQL as a bound parameter unchanged (compared with `=`, inserted as a value), never
 * inlined or transformed; anything else is refused when the query is first compiled.
 */
export function prepared<A extends unknown[], R>(arity: number, build: (db: Db, ...args: A) => Compilable<R>) {
  // Per query compiler (one per dialect instance); transactions share their database's.
  const compiled = new WeakMap<object, { query: CompiledQuery<R>; slots: (number | { value: unknown })[] }>();
  return async (db: Db, ...args: A): Promise<QueryResult<R>> => {
    const adapter = db.getExecutor().adapter;
    let entry = compiled.get(adapter);
    if (!entry) {
      const placeholders = Array.from({ length: arity }, (_, i) => PLACEHOLDER + i) as unknown as A;
      const query = build(db, ...placeholders).compile();
      const slots = query.parameters.map((p) =>
        typeof p === 'string' && p.startsWith(PLACEHOLDER) ? Number(p.slice(PLACEHOLDER.length)) : { value: p },
      );
      for (let i = 0; i < arity; i++) {
        if (!slots.includes(i))
          throw new Error(`prepared query: argument ${i} is not a bound parameter of: ${query.sql}`);
      }
      entry = { query, slots };
      compiled.set(adapter, entry);
    }
    const parameters = entry.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return db.executeQuery<R>({ ...entry.query, parameters });
  };
}
