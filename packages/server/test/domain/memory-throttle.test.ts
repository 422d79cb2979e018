import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryThrottleStore } from '../../src/domain/throttle/memory-store.js';
import { RENEW_KNOWN_MS } from '../../src/domain/throttle/store.js';

const DAY = 86_400_000;

test('a known pair is renewed at most once per renewal period, so a success per request stores nothing new', async () => {
  const store = new MemoryThrottleStore();
  const t0 = 1_800_000_000_000;
  const ttl = 30 * DAY;
  await store.remember('k', ttl, t0);
  // Again a minute later: skipped, the expiry stays where the first success put it.
  await store.remember('k', ttl, t0 + 60_000);
  assert.equal(await store.knows('k', t0 + ttl - 1), true);
  assert.equal(await store.knows('k', t0 + ttl + 1), false, 'not renewed within the period');

  await store.remember('k', ttl, t0);
  // After the period the next success renews it.
  await store.remember('k', ttl, t0 + RENEW_KNOWN_MS);
  assert.equal(await store.knows('k', t0 + ttl + 1), true, 'renewed after the period');
  assert.equal(await store.knows('k', t0 + RENEW_KNOWN_MS + ttl + 1), false);
});
