import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryThrottleStore } from '../../../src/domain/throttle/memory-store.js';
import { RENEW_KNOWN_MS, type ThrottleStore } from '../../../src/domain/throttle/store.js';
import { CredentialThrottle } from '../../../src/domain/throttle/credential-throttle.js';
import { CLIENT_THROTTLE, PASSWORD_THROTTLE } from '../../../src/domain/throttle/policies.js';

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

test('retryAfterNow answers from memory exactly what retryAfter answers, or defers to it when a known pair may be spared', async () => {
  const t0 = 1_800_000_000_000;
  const ip = '203.0.113.7';
  const other = '203.0.113.8';
  const check = async (throttle: CredentialThrottle, subject: string, address: string, now: number) => {
    const slow = await throttle.retryAfter(subject, address, now);
    const fast = throttle.retryAfterNow(subject, address, now);
    assert.equal(fast ?? (await throttle.retryAfter(subject, address, now)), slow);
    return { fast, slow };
  };
  const fail = async (throttle: CredentialThrottle, subject: string, address: string, n: number) => {
    for (let i = 0; i < n; i++) await throttle.fail(subject, address, t0);
  };

  // Client secrets: a known pair is spared every lock.
  const clients = new CredentialThrottle(new MemoryThrottleStore(), CLIENT_THROTTLE);
  assert.deepEqual(await check(clients, 'c1', ip, t0), { fast: 0, slow: 0 }, 'nothing locked: answered at once');
  await fail(clients, 'c1', ip, CLIENT_THROTTLE.pair.limit);
  const locked = await check(clients, 'c1', ip, t0 + 1);
  assert.equal(locked.fast, undefined, 'a lock a known pair is spared: the known set decides');
  assert.equal(locked.slow, 30);
  await clients.succeed('c2', other, t0);
  await fail(clients, 'c3', other, CLIENT_THROTTLE.address.limit);
  assert.deepEqual(
    await check(clients, 'c2', other, t0 + 1),
    { fast: undefined, slow: 0 },
    'the address is locked, but c2 is known there',
  );
  assert.equal((await check(clients, 'c4', other, t0 + 1)).slow, 30, 'an unknown pair waits for the address lock');
  assert.deepEqual(await check(clients, 'c1', ip, t0 + 31_000), { fast: 0, slow: 0 }, 'the lock has ended');

  // Passwords: the pair's own lock holds for a known pair too, so it is answered at once.
  const passwords = new CredentialThrottle(new MemoryThrottleStore(), PASSWORD_THROTTLE);
  await passwords.succeed('alice', ip, t0);
  await fail(passwords, 'alice', ip, PASSWORD_THROTTLE.pair.limit);
  assert.deepEqual(await check(passwords, 'alice', ip, t0 + 1), { fast: 30, slow: 30 });

  // A store that must be asked (a shared one) is never answered from memory.
  const memory = new MemoryThrottleStore();
  const asked = new CredentialThrottle({ ...bind(memory), lockedUntilNow: undefined }, CLIENT_THROTTLE);
  assert.deepEqual(await check(asked, 'c1', ip, t0), { fast: undefined, slow: 0 });
});

/** The store's methods, bound, as a plain object that can leave one out. */
function bind(store: MemoryThrottleStore): ThrottleStore {
  return {
    lockedUntil: store.lockedUntil.bind(store),
    lockedUntilNow: store.lockedUntilNow.bind(store),
    fail: store.fail.bind(store),
    clear: store.clear.bind(store),
    remember: store.remember.bind(store),
    knows: store.knows.bind(store),
    stats: store.stats.bind(store),
  };
}
