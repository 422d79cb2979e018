// The shape of Latchkey's secrets, so that scanners (and `latchkey doctor`) can tell a real one from a
// look-alike offline, like GitHub's `ghp_` tokens: prefix, 43 base64url characters (256 random bits),
// then 6 base62 characters of CRC32 over prefix and random part. Secrets issued before the checksum
// (prefix + 43 characters) keep working: authentication never looks at the checksum.
// The SDK carries the same rules in packages/sdk/src/lib/secret-format.ts (tested to agree).

export const SECRET_KINDS = { lk_cs_: 'client_secret', lk_rt_: 'refresh_token', lk_ss_: 'session' } as const;
export type SecretKind = (typeof SECRET_KINDS)[keyof typeof SECRET_KINDS];

const RANDOM_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** One pattern for both formats (a scanner's regex): prefix, 43 random characters, optional checksum. */
export const SECRET_PATTERN = /^(lk_(?:cs|rt|ss)_)([A-Za-z0-9_-]{43})([0-9A-Za-z]{6})?$/;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zlib and GitHub's token checksums) of an ASCII string. */
export function crc32(s: string): number {
  let c = 0xffffffff;
  for (let i = 0; i < s.length; i++) c = CRC_TABLE[(c ^ s.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The 6-character base62 checksum of prefix + random part. */
export function secretChecksum(body: string): string {
  let n = crc32(body);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export interface SecretShape {
  kind: SecretKind;
  /** `checksummed` (issued with a checksum) or `legacy` (issued before; no checksum to check). */
  format: 'checksummed' | 'legacy';
  /** Whether the checksum holds; null for the legacy format. */
  checksumValid: boolean | null;
}

/** Whether `s` has the shape of a Latchkey secret, which kind, and whether its checksum holds. */
export function looksLikeLatchkeySecret(s: string): SecretShape | null {
  const m = SECRET_PATTERN.exec(s);
  if (!m) return null;
  const kind = SECRET_KINDS[m[1] as keyof typeof SECRET_KINDS];
  if (m[3] === undefined) return { kind, format: 'legacy', checksumValid: null };
  return { kind, format: 'checksummed', checksumValid: secretChecksum(m[1] + m[2]) === m[3] };
}

export const SECRET_RANDOM_LENGTH = RANDOM_LENGTH;
