// RFC 6750 on the wire, shared by the Fastify plugin and the Express middleware: reading the bearer
// token from the Authorization header, and turning a verification error into status, challenge and
// the JSON body `{"errorMessage": …, "errorCode": …}`.
import { InsufficientScope, InvalidToken, MissingToken, type TokenVerificationError } from './errors.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The bearer token of a request. No header, or another scheme (e.g. Basic), is a MissingToken: RFC
 * 6750 §3.1 says the challenge then carries no error code. A Bearer header with a bad token is invalid.
 */
export function bearerToken(authorization: string | string[] | undefined): string {
  if (authorization === undefined || authorization === '') throw new MissingToken();
  if (Array.isArray(authorization))
    throw new InvalidToken('ERR_TOKEN_MALFORMED', 'Malformed token: several Authorization headers');
  const space = authorization.indexOf(' ');
  const scheme = space < 0 ? authorization : authorization.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw new MissingToken();
  const token = space < 0 ? '' : authorization.slice(space + 1).trim();
  if (!B64TOKEN.test(token))
    throw new InvalidToken(
      'ERR_TOKEN_MALFORMED',
      'Malformed token: the Bearer credentials are empty or not a b64token',
    );
  return token;
}

/** RFC 6750 §3: attribute values are quoted-strings limited to printable ASCII without `"` and `\`. */
function quoted(value: string): string {
  return '"' + value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, "'") + '"';
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { errorMessage: string; errorCode: string };
}

/** The WWW-Authenticate challenge of an error, or undefined when none belongs (503). */
export function challenge(err: TokenVerificationError, realm: string): string | undefined {
  if (err instanceof MissingToken) return `Bearer realm=${quoted(realm)}`;
  if (err instanceof InsufficientScope) {
    return `Bearer error="insufficient_scope", scope=${quoted(err.required.join(' '))}, error_description=${quoted(err.message)}`;
  }
  if (err instanceof InvalidToken) return `Bearer error="invalid_token", error_description=${quoted(err.message)}`;
  return undefined;
}

export function errorResponse(err: TokenVerificationError, realm: string): ErrorResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  const c = challenge(err, realm);
  if (c) headers['www-authenticate'] = c;
  if (err.status === 503) headers['retry-after'] = '5';
  return { status: err.status, headers, body: { errorMessage: err.message, errorCode: err.code } };
}
