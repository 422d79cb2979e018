import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { secretChecksum } from './secret-format.js';

// Prefixes and checksums let secret scanners recognise leaked Latchkey credentials (see secret-format.ts).
export const CLIENT_SECRET_PREFIX = 'lk_cs_';
export const REFRESH_TOKEN_PREFIX = 'lk_rt_';
export const SESSION_PREFIX = 'lk_ss_';

// Secrets are cut from a block of CSPRNG output: one call into OpenSSL per 128 secrets instead of
// one per secret (that call was 4 % of a refresh under load). Each slice is used once and zeroed.
const BLOCK = 4096;
let block = Buffer.alloc(0);
let offset = 0;

/** 256 bits of randomness, base64url, behind a recognisable prefix and followed by its checksum. */
export function randomSecret(prefix: string): string {
  if (offset + 32 > block.length) {
    block = randomBytes(BLOCK);
    offset = 0;
  }
  const bytes = block.subarray(offset, offset + 32);
  offset += 32;
  const body = prefix + bytes.toString('base64url');
  bytes.fill(0);
  return body + secretChecksum(body);
}

export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Hashes high-entropy secrets (client secrets, refresh tokens, session ids) with HMAC-SHA256 under a
 * pepper derived from the master key: fast enough for the hot path, and a stolen database alone
 * cannot even confirm a guess. argon2 is reserved for low-entropy human passwords.
 */
export class SecretHasher {
  constructor(private readonly pepper: Buffer) {}

  hash(secret: string): string {
    return this.digest(secret).toString('base64url');
  }

  private digest(secret: string): Buffer {
    return createHmac('sha256', this.pepper).update(secret).digest();
  }

  /** Constant-time comparison of a presented secret against a stored hash. */
  verify(secret: string, storedHash: string | null | undefined): boolean {
    const actual = this.digest(secret);
    const expected = Buffer.from(storedHash ?? '', 'base64url');
    if (expected.length !== actual.length) {
      timingSafeEqual(actual, actual);
      return false;
    }
    return timingSafeEqual(actual, expected);
  }
}
