import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  randomSecret,
  SecretHasher,
  REFRESH_TOKEN_PREFIX,
  CLIENT_SECRET_PREFIX,
  SESSION_PREFIX,
} from '../../src/crypto/secrets.js';
import { crc32, looksLikeLatchkeySecret, secretChecksum } from '../../src/crypto/secret-format.js';
import { looksLikeLatchkeySecret as sdkLooksLike } from '../../../sdk/src/lib/secret-format.js';

test('secrets: 256 random bits each, never repeated across random blocks', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    // several 4 KiB blocks of 128 secrets
    const s = randomSecret(REFRESH_TOKEN_PREFIX);
    assert.match(s, /^lk_rt_[A-Za-z0-9_-]{43}[0-9A-Za-z]{6}$/);
    assert.equal(Buffer.from(s.slice(6, 49), 'base64url').length, 32);
    seen.add(s);
  }
  assert.equal(seen.size, 1000);
  // Not a constant or a zeroed slice: the bytes of many secrets cover the whole byte range.
  const bytes = new Set<number>();
  for (const s of seen) for (const b of Buffer.from(s.slice(6, 49), 'base64url')) bytes.add(b);
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

test('crc32 matches the IEEE test vector, and the checksum is 6 base62 characters of it', () => {
  assert.equal(crc32('123456789'), 0xcbf43926);
  assert.equal(crc32(''), 0);
  assert.match(secretChecksum('lk_cs_x'), /^[0-9A-Za-z]{6}$/);
  assert.equal(
    secretChecksum('123456789'),
    (() => {
      let n = 0xcbf43926,
        o = '';
      for (let i = 0; i < 6; i++) {
        o = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[n % 62] + o;
        n = Math.floor(n / 62);
      }
      return o;
    })(),
  );
});

test('looksLikeLatchkeySecret: new secrets of every kind hold their checksum; legacy and look-alikes are told apart', () => {
  for (const [prefix, kind] of [
    [CLIENT_SECRET_PREFIX, 'client_secret'],
    [REFRESH_TOKEN_PREFIX, 'refresh_token'],
    [SESSION_PREFIX, 'session'],
  ] as const) {
    const s = randomSecret(prefix);
    assert.deepEqual(looksLikeLatchkeySecret(s), { kind, format: 'checksummed', checksumValid: true });
    // One changed character of the random part, or of the checksum, breaks it.
    const i = 10;
    const flipped = s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    assert.deepEqual(looksLikeLatchkeySecret(flipped), { kind, format: 'checksummed', checksumValid: false });
    const badSum = s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');
    assert.equal(looksLikeLatchkeySecret(badSum)?.checksumValid, false);
    // A secret from before the checksum: the legacy format, nothing to check.
    assert.deepEqual(looksLikeLatchkeySecret(s.slice(0, 49)), { kind, format: 'legacy', checksumValid: null });
    // The SDK (the CLI's `doctor`) applies the same rules.
    for (const v of [s, flipped, badSum, s.slice(0, 49)]) assert.deepEqual(sdkLooksLike(v), looksLikeLatchkeySecret(v));
  }
  for (const v of [
    '',
    'lk_cs_',
    'lk_xx_' + 'a'.repeat(43),
    'lk_cs_' + 'a'.repeat(42),
    'lk_cs_' + 'a'.repeat(44),
    'lk_cs_' + 'a'.repeat(43) + '!!!!!!',
    'ghp_abc',
  ]) {
    assert.equal(looksLikeLatchkeySecret(v), null, v);
  }
});
