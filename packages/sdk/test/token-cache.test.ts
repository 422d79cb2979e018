import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenCache } from '../src/token-cache.js';
import type { AccessToken } from '../src/credentials/types.js';
import type { ObtainRequest } from '../src/credentials/types.js';

function harness(lifetimeMs = 3_600_000) {
  let clock = 1_000_000;
  const requests: ObtainRequest[] = [];
  let n = 0;
  const cache = new TokenCache(
    async (req) => {
      requests.push(req);
      await new Promise((r) => setTimeout(r, 20));
      return { value: `t${++n}`, expiresAt: clock + lifetimeMs, issuedAt: clock } satisfies AccessToken;
    },
    { refreshSkewMs: 60_000, now: () => clock },
  );
  return {
    cache,
    requests,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

test('concurrent callers share one in-flight refresh', async () => {
  const { cache, requests } = harness();
  const tokens = await Promise.all(Array.from({ length: 25 }, () => cache.get()));
  assert.deepEqual(new Set(tokens), new Set(['t1']));
  assert.equal(requests.length, 1);
});

test('the token is reused until 60 s before expiry, then refreshed once', async () => {
  const { cache, requests, advance } = harness();
  assert.equal(await cache.get(), 't1');
  advance(3_600_000 - 61_000);
  assert.equal(await cache.get(), 't1');
  advance(2_000);
  const again = await Promise.all([cache.get(), cache.get(), cache.get()]);
  assert.deepEqual(again, ['t2', 't2', 't2']);
  assert.equal(requests.length, 2);
  assert.equal(requests[1]!.stale, 't1');
});

test('a short-lived token is refreshed at half its life, not every time', async () => {
  const { cache, requests, advance } = harness(60_000);
  await cache.get();
  advance(29_000);
  assert.equal(await cache.get(), 't1');
  advance(2_000);
  assert.equal(await cache.get(), 't2');
  assert.equal(requests.length, 2);
});

test('an expired-token report refreshes once, even when several requests report it', async () => {
  const { cache, requests } = harness();
  const first = await cache.get();
  const results = await Promise.all([
    cache.get({ stale: first }),
    cache.get({ stale: first }),
    cache.get({ stale: first }),
  ]);
  assert.deepEqual(results, ['t2', 't2', 't2']);
  // A late report about the old token does not refresh again: the cache already moved on.
  assert.equal(await cache.get({ stale: first }), 't2');
  assert.equal(requests.length, 2);
});

test('a failed refresh is reported to every waiter and the next call tries again', async () => {
  let fail = true;
  let n = 0;
  const cache = new TokenCache(
    async () => {
      await new Promise((r) => setTimeout(r, 10));
      if (fail) throw new Error('boom');
      return { value: `ok${++n}`, expiresAt: undefined, issuedAt: 0 };
    },
    { refreshSkewMs: 60_000, now: Date.now },
  );
  const results = await Promise.allSettled([cache.get(), cache.get()]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  fail = false;
  assert.equal(await cache.get(), 'ok1');
});
