import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickBatch } from '../../src/lib/tick-batch.js';

/** A batch whose `many` and `one` record what they were asked. */
function recording(fail: (items: string[]) => boolean = () => false) {
  const calls: string[][] = [];
  const batch = new TickBatch<string, string>({
    many: async (items) => {
      calls.push(items);
      if (fail(items)) throw new Error('batch refused');
      return items.map((i) => i.toUpperCase());
    },
    one: async (item) => {
      calls.push([`one:${item}`]);
      if (item === 'bad') throw new Error(`refused ${item}`);
      return item.toUpperCase();
    },
    key: (item) => item,
    max: 3,
  });
  return { batch, calls };
}

test('TickBatch', async (t) => {
  await t.test('calls of one turn go together, each gets its own answer in order', async () => {
    const { batch, calls } = recording();
    assert.deepEqual(await Promise.all(['a', 'b', 'c'].map((i) => batch.run(i))), ['A', 'B', 'C']);
    assert.deepEqual(calls, [['a', 'b', 'c']]);
  });

  await t.test('a call alone runs as one; a later turn starts a new batch', async () => {
    const { batch, calls } = recording();
    assert.equal(await batch.run('a'), 'A');
    assert.equal(await batch.run('b'), 'B');
    assert.deepEqual(calls, [['one:a'], ['one:b']]);
  });

  await t.test('beyond the maximum, and for a key already in the batch, the call waits for the next one', async () => {
    const { batch, calls } = recording();
    assert.deepEqual(await Promise.all(['a', 'a', 'b', 'c', 'd', 'e'].map((i) => batch.run(i))), [
      'A',
      'A',
      'B',
      'C',
      'D',
      'E',
    ]);
    assert.deepEqual(calls, [
      ['a', 'b', 'c'],
      ['a', 'd', 'e'],
    ]);
  });

  await t.test('a failing batch runs each call alone: only the call at fault fails', async () => {
    const { batch, calls } = recording((items) => items.includes('bad'));
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((i) => batch.run(i)));
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason))),
      ['A', 'Error: refused bad', 'C'],
    );
    assert.deepEqual(calls, [['a', 'bad', 'c'], ['one:a'], ['one:bad'], ['one:c']]);
  });
});
