// The shape of Latchkey's secrets, for `latchkey doctor`: the same rules as the server's
// packages/server/src/crypto/secret-format.ts (a server test checks that both agree). Prefix, 43
// base64url characters (256 random bits), then 6 base62 characters of CRC-32 over prefix and random
// part; secrets issued before the checksum are the prefix and 43 characters only.

export const SECRET_KINDS = { lk_cs_: 'client_secret', lk_rt_: 'refresh_token', lk_ss_: 'session' } as const;
export type SecretKind = (typeof SECRET_KINDS)[keyof typeof SECRET_KINDS];

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
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

function checksum(body: string): string {
  let c = 0xffffffff;
  for (let i = 0; i < body.length; i++) c = CRC_TABLE[(c ^ body.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  let n = (c ^ 0xffffffff) >>> 0;
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export interface SecretShape {
  kind: SecretKind;
  format: 'checksummed' | 'legacy';
  /** null for the legacy format (nothing to check). */
  checksumValid: boolean | null;
}

export function looksLikeLatchkeySecret(s: string): SecretShape | null {
  const m = SECRET_PATTERN.exec(s);
  if (!m) return null;
  const kind = SECRET_KINDS[m[1] as keyof typeof SECRET_KINDS];
  if (m[3] === undefined) return { kind, format: 'legacy', checksumValid: null };
  return { kind, format: 'checksummed', checksumValid: checksum(m[1] + m[2]) === m[3] };
}
