import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { backends, createScratchDatabase } from '../helpers/harness.js';
import { prepareStatements } from '../../src/store/pg-prepared.js';

test('PostgreSQL: statements with parameters are prepared once per connection', {
  skip: !(await backends()).includes('postgres') && 'PostgreSQL not reachable',
}, async (t) => {
  const scratch = await createScratchDatabase();
  // One connection, so every query below shares its session (prepared statements are per session).
  const pool = new pg.Pool({ connectionString: scratch.url, max: 1 });
  prepareStatements(pool);
  // Queried as Kysely does: a connection from the pool, promise-style.
  const client = await pool.connect();
  t.after(async () => {
    client.release();
    await pool.end();
    await scratch.drop();
  });
  await client.query('create table items (id int primary key, name text)');
  await client.query("insert into items values (1, 'one'), (2, 'two')");
  const prepared = async () => (await client.query('select statement from pg_prepared_statements')).rows.map((r) => r.statement as string);

  await t.test('the same text runs as one prepared statement, with each call\'s parameters', async () => {
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

  await t.test('errors of the statement itself reach the caller', async () => {
    await assert.rejects(client.query('insert into items (id, name) values ($1, $2)', [1, 'again']), (err: { code?: string }) => err.code === '23505');
  });
});
