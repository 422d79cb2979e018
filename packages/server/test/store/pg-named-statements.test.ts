import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { backends, createScratchDatabase } from '../helpers/harness.js';
import { namedStatementClient } from '../../src/store/pg-named-statements.js';

test(
  'PostgreSQL: statements with parameters are prepared once per connection',
  {
    skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
  },
  async (t) => {
    const scratch = await createScratchDatabase();
    // One connection, so every query below shares its session (prepared statements are per session).
    const pool = new pg.Pool({ connectionString: scratch.url, max: 1, Client: namedStatementClient() });
    // Queried as Kysely does: a connection from the pool, promise-style, one statement at a time.
    const client = await pool.connect();
    t.after(async () => {
      client.release();
      await pool.end();
      await scratch.drop();
    });
    await client.query('create table items (id int primary key, name text)');
    await client.query("insert into items values (1, 'one'), (2, 'two')");
    const prepared = async () =>
      (await client.query('select statement from pg_prepared_statements order by prepare_time')).rows.map(
        (r) => r.statement as string,
      );

    await t.test("the same text runs as one prepared statement, with each call's parameters", async () => {
      const select = 'select * from items where id = $1';
      assert.deepEqual((await client.query(select, [1])).rows, [{ id: 1, name: 'one' }]);
      assert.deepEqual((await client.query(select, [2])).rows, [{ id: 2, name: 'two' }]);
      assert.deepEqual(await prepared(), [select]);
      // Without parameters (DDL, migrations) nothing is prepared.
      assert.deepEqual((await client.query('select count(*)::int as n from items')).rows, [{ n: 2 }]);
      assert.deepEqual(await prepared(), [select]);
    });

    await t.test('a prepared select * whose table changed shape is sent unnamed from then on', async () => {
      const select = 'select * from items where id = $1';
      await client.query('alter table items add column note text');
      assert.deepEqual((await client.query(select, [1])).rows, [{ id: 1, name: 'one', note: null }]);
      assert.deepEqual((await client.query(select, [2])).rows, [{ id: 2, name: 'two', note: null }]);
    });

    await t.test(
      'inside a transaction, an invalidated plan fails the transaction with its own error, once',
      async () => {
        const select = 'select * from items where name = $1';
        assert.equal((await client.query(select, ['one'])).rows.length, 1);
        assert.ok((await prepared()).includes(select));
        await client.query('alter table items add column tag text');
        await client.query('begin');
        await client.query('update items set note = $1 where id = $2', ['written in the failed transaction', 1]);
        // Not "current transaction is aborted" (25P02): the statement is not run again in the aborted transaction.
        await assert.rejects(client.query(select, ['one']), (err: { code?: string }) => err.code === '0A000');
        await client.query('rollback');
        assert.deepEqual((await client.query('select note from items where id = $1', [1])).rows, [{ note: null }]);
        // The next transaction sends the text unnamed and gets the table's new shape.
        await client.query('begin');
        assert.deepEqual((await client.query(select, ['one'])).rows, [{ id: 1, name: 'one', note: null, tag: null }]);
        await client.query('commit');
      },
    );

    await t.test('errors of the statement itself reach the caller', async () => {
      await assert.rejects(
        client.query('insert into items (id, name) values ($1, $2)', [1, 'again']),
        (err: { code?: string }) => err.code === '23505',
      );
    });
  },
);
