/**
 * The `exp` claim of a JWT access token, in milliseconds, read without verifying (the SDK only needs
 * to know when to refresh; the API verifies). Undefined for anything that is not a JWT with `exp`.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as {
      exp?: unknown;
      iat?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** `iat` in milliseconds, to know a token's lifetime. */
export function jwtIssuedAt(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      iat?: unknown;
    };
    return typeof payload.iat === 'number' ? payload.iat * 1000 : undefined;
  } catch {
    return undefined;
  }
}
