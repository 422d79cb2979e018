import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryThrottleStore } from '../../../src/domain/throttle/memory-store.js';
import { RENEW_KNOWN_MS } from '../../../src/domain/throttle/store.js';
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

test('the client throttle records no success and spares no pair: its locks bind wrong secrets, from where they came', async () => {
  const t0 = 1_800_000_000_000;
  const ip = '203.0.113.7';
  const other = '203.0.113.8';
  const fail = async (throttle: CredentialThrottle, subject: string, address: string, n: number) => {
    for (let i = 0; i < n; i++) await throttle.fail(subject, address, t0);
  };
  const store = new MemoryThrottleStore();
  const clients = new CredentialThrottle(store, CLIENT_THROTTLE);
  await clients.succeed('c1', ip, t0);
  assert.equal(store.stats().entries, 0, 'a success stores nothing');
  await fail(clients, 'c1', ip, CLIENT_THROTTLE.pair.limit);
  assert.equal(await clients.retryAfter('c1', ip, t0 + 1), 30, 'the pair is locked');
  assert.equal(await clients.retryAfter('c1', other, t0 + 1), 0, 'never the client for every address');
  await clients.succeed('c2', other, t0);
  await fail(clients, 'c3', other, CLIENT_THROTTLE.address.limit);
  assert.equal(await clients.retryAfter('c2', other, t0 + 1), 30, 'the address lock binds every client there');
  assert.equal(await clients.retryAfter('c1', ip, t0 + 31_000), 0, 'the lock has ended');

  // Passwords: a known pair is spared the address lock, not its own.
  const passwords = new CredentialThrottle(new MemoryThrottleStore(), PASSWORD_THROTTLE);
  await passwords.succeed('alice', ip, t0);
  await fail(passwords, 'mallory', ip, PASSWORD_THROTTLE.address.limit);
  assert.equal(await passwords.retryAfter('alice', ip, t0 + 1), 0, 'known at the address: spared its lock');
  assert.equal(await passwords.retryAfter('bob', ip, t0 + 1), 30, 'unknown there: held to it');
  await fail(passwords, 'alice', ip, PASSWORD_THROTTLE.pair.limit);
  assert.equal(await passwords.retryAfter('alice', ip, t0 + 1), 30, "the pair's own lock holds for a known pair");
});
