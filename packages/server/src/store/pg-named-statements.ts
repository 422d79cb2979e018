import crypto from 'node:crypto';
import pg from 'pg';

// "cached plan must not change result type": a prepared `select *` whose table gained a column
// (a newer process migrated the schema while this one runs).
const PLAN_CHANGED = '0A000';

/**
 * A pg Client class (the pool's `Client` option) that sends each distinct SQL text with parameters
 * as a named statement, `{ name, text, values }`. Kysely sends every query as text and parameters,
 * which PostgreSQL parses and plans anew each time; on the hot paths (a rotation, a token lookup)
 * that costs more than running the statement. With a name, pg has each connection parse and plan
 * the text once (it remembers which names a connection has prepared), then only bind and execute it.
 * The name is a hash of the text, so it is the same in every process and connection. Up to `max`
 * texts are named (queries with variable `in (...)` lists stay bounded); only promise-style calls
 * with parameters, as Kysely makes them, are. Classes made by one call share their names: use one
 * per pool.
 *
 * A statement whose prepared plan became invalid is sent unnamed from then on, by every connection.
 * The failed call is run again unnamed only outside a transaction, where it changed nothing; inside
 * one it has aborted the transaction, which refuses every further statement, so the error goes to
 * the caller like any failed statement's and the transaction is rolled back.
 */
export function namedStatementClient(max = 500): typeof pg.Client {
  const names = new Map<string, string | null>();
  const nameOf = (text: string): string | null => {
    let name = names.get(text);
    if (name === undefined && names.size < max) {
      name = `lk_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name ?? null;
  };
  return class NamedStatementClient extends pg.Client {
    // pg's query() has a dozen overloads; this one passes everything it does not name through as is.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one override for every overload
    override query(...args: any[]): any {
      const [text, values, callback] = args as [unknown, unknown, unknown];
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) {
        return (super.query as (...a: unknown[]) => unknown)(...args);
      }
      const name = nameOf(text);
      if (!name) return super.query(text, values);
      return super.query({ name, text, values }).catch((err: { code?: string }) => {
        if (err.code !== PLAN_CHANGED) throw err;
        names.set(text, null);
        // The status after the failure ('E' in an aborted transaction), or, if pg has not read it yet,
        // the one the statement ran in ('T'): 'I' only outside a transaction.
        if (this.getTransactionStatus() !== 'I') throw err;
        return super.query(text, values);
      });
    }
  };
}
