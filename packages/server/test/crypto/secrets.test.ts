import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { randomSecret, SecretHasher, REFRESH_TOKEN_PREFIX } from '../../src/crypto/secrets.js';

test('secrets: 256 random bits each, never repeated across random blocks', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) { // several 4 KiB blocks of 128 secrets
    const s = randomSecret(REFRESH_TOKEN_PREFIX);
    assert.match(s, /^lk_rt_[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(s.slice(6), 'base64url').length, 32);
    seen.add(s);
  }
  assert.equal(seen.size, 1000);
  // Not a constant or a zeroed slice: the bytes of many secrets cover the whole byte range.
  const bytes = new Set<number>();
  for (const s of seen) for (const b of Buffer.from(s.slice(6), 'base64url')) bytes.add(b);
  assert.equal(bytes.size, 256);
});

test('secret hashes: keyed, and verified in constant time against the stored hash only', () => {
  const a = new SecretHasher(randomBytes(32));
  const b = new SecretHasher(randomBytes(32));
  const secret = randomSecret('lk_cs_');
  assert.notEqual(a.hash(secret), b.hash(secret), 'another pepper gives another hash');
  assert.equal(a.verify(secret, a.hash(secret)), true);
  assert.equal(a.verify(secret + 'x', a.hash(secret)), false);
  assert.equal(a.verify(secret, b.hash(secret)), false);
  assert.equal(a.verify(secret, null), false);
  assert.equal(a.verify(secret, 'short'), false);
});
