import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap, approxBytes } from '../../src/lib/bounded-map.js';
import { TtlCache } from '../../src/lib/ttl-cache.js';
import { MemoryThrottleStore } from '../../src/domain/throttle/memory-store.js';
import { CLIENT_THROTTLE } from '../../src/domain/throttle/policies.js';

test('a bounded map evicts its oldest entries past its entry bound or its byte bound', () => {
  const byEntries = new BoundedMap<number>(3, 1_000_000);
  for (let i = 0; i < 10; i++) byEntries.set(`k${i}`, i);
  assert.equal(byEntries.size, 3);
  assert.deepEqual([...byEntries.keys()], ['k7', 'k8', 'k9']);

  const byBytes = new BoundedMap<string>(1_000_000, 10_000);
  for (let i = 0; i < 100; i++) byBytes.set(`k${i}`, 'v'.repeat(1000));
  assert.ok(byBytes.bytes <= 10_000, `${byBytes.bytes} bytes`);
  assert.equal(byBytes.size, Math.floor(10_000 / approxBytes('k99', 'v'.repeat(1000))));
  assert.equal(byBytes.get('k99'), 'v'.repeat(1000), 'the newest entries stay');
  assert.equal(byBytes.get('k0'), undefined);

  // Replacing and deleting keep the byte count exact; a value over the whole budget is not kept.
  byBytes.set('k99', 'short');
  byBytes.delete('k98');
  const expected = [...byBytes.keys()].reduce((n, k) => n + approxBytes(k, byBytes.get(k)), 0);
  assert.equal(byBytes.bytes, expected);
  byBytes.set('huge', 'x'.repeat(20_000));
  assert.equal(byBytes.get('huge'), undefined);
  assert.equal(byBytes.bytes, expected);
  byBytes.clear();
  assert.equal(byBytes.bytes, 0);
});

test('a TTL cache flooded with distinct keys stays within its bounds and keeps its recent entries', async () => {
  let loads = 0;
  const cache = new TtlCache(
    async (key) => {
      loads++;
      return key.length;
    },
    60_000,
    1000,
    64 * 1024,
  );
  for (let i = 0; i < 5000; i++) await cache.get(`key-${i}-${'x'.repeat(100)}`);
  const { entries, bytes } = cache.stats();
  assert.ok(entries <= 1000 && bytes <= 64 * 1024, `${entries} entries, ${bytes} bytes`);
  assert.ok(entries > 100, 'evicts one at a time, not everything');
  const before = loads;
  await cache.get(`key-4999-${'x'.repeat(100)}`);
  assert.equal(loads, before, 'the newest entry is still cached');
});

test('the throttle store stays within its bounds under a flood of distinct keys', async () => {
  const store = new MemoryThrottleStore(500, 32 * 1024);
  const now = Date.now();
  for (let i = 0; i < 5000; i++) {
    await store.fail(`client:pair:tenant:lk_app_${i}\u0000198.51.100.${i % 256}`, CLIENT_THROTTLE.pair, now);
    await store.remember(`client:known:tenant:lk_app_${i}\u0000198.51.100.${i % 256}`, 60_000, now);
  }
  const { entries, bytes } = store.stats();
  assert.ok(entries <= 2 * 500, `${entries} entries`);
  assert.ok(bytes <= 2 * 32 * 1024, `${bytes} bytes`);
  assert.equal(await store.knows('client:known:tenant:lk_app_4999\u0000198.51.100.135', now), true);
});

test('a TtlCache peek answers a fresh entry (a cached miss too) without loading, and nothing once it expired', async () => {
  let loads = 0;
  const cache = new TtlCache<number | undefined>(
    async (key) => {
      loads++;
      return key === 'absent' ? undefined : key.length;
    },
    50,
    100,
    64 * 1024,
  );
  assert.equal(cache.peek('abc'), undefined, 'nothing held yet');
  assert.equal(await cache.get('abc'), 3);
  assert.equal(cache.peek('abc')?.value, 3);
  assert.equal(await cache.get('absent'), undefined);
  const miss = cache.peek('absent');
  assert.ok(miss, 'a cached miss is an answer: no store read for it');
  assert.equal(miss.value, undefined);
  assert.equal(loads, 2);
  const { hits, misses } = cache.stats();
  assert.deepEqual({ hits, misses }, { hits: 2, misses: 2 });
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(cache.peek('abc'), undefined, 'expired: the caller must load it again');
  assert.equal(await cache.get('abc'), 3);
  assert.equal(loads, 3);
  cache.delete('abc');
  assert.equal(cache.peek('abc'), undefined, 'deleted by an announced change');
});
