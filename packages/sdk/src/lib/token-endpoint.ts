import { LatchkeyAuthError } from '../errors.js';
import { readBody, send, type HttpOptions } from './http.js';

/** RFC 6749 §5.1 success. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  refresh_token?: string;
}

/** How the client proves who it is at the token endpoint. */
export type ClientAuth =
  | { method: 'basic'; clientId: string; clientSecret: string }
  | { method: 'none'; clientId: string }
  /** RFC 7523 §3.1: the jwt-bearer grant's assertion names and proves the client: nothing else is sent. */
  | { method: 'assertion' };

/** RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return 'Basic ' + Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64');
}

/**
 * POSTs a grant to the token endpoint (form-encoded) and returns the token response, or throws
 * LatchkeyAuthError with the server's `error` and `error_description`.
 */
export async function requestToken(
  http: HttpOptions,
  endpoint: string,
  auth: ClientAuth,
  params: Record<string, string>,
  context: string,
): Promise<TokenResponse> {
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (auth.method === 'basic') headers.authorization = basicAuthorization(auth.clientId, auth.clientSecret);
  else if (auth.method === 'none') form.set('client_id', auth.clientId);
  const res = await send(http, endpoint, { method: 'POST', headers, body: form.toString() });
  const body = await readBody(res).catch(() => undefined);
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    throw new LatchkeyAuthError({
      error: typeof b.error === 'string' ? b.error : 'invalid_response',
      errorDescription:
        typeof b.error_description === 'string'
          ? http.secrets.redact(b.error_description)
          : `the token endpoint ${endpoint} answered HTTP ${res.status} without an OAuth error`,
      status: res.status,
      retryAfter: Number.isFinite(retry) && retry > 0 ? retry : undefined,
      context,
      grantType: params.grant_type,
    });
  }
  if (typeof b.access_token !== 'string' || b.access_token === '') {
    throw new LatchkeyAuthError({
      error: 'invalid_response',
      errorDescription: 'the token endpoint answered without an access_token',
      status: res.status,
      context,
      grantType: params.grant_type,
    });
  }
  const token = b as unknown as TokenResponse;
  http.secrets.add(token.access_token, token.refresh_token);
  return token;
}

/** RFC 7009 revocation; errors are reported like token errors. */
export async function revokeToken(
  http: HttpOptions,
  endpoint: string,
  auth: ClientAuth,
  token: string,
  hint: 'refresh_token' | 'access_token',
): Promise<void> {
  const form = new URLSearchParams({ token, token_type_hint: hint });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth.method === 'basic') headers.authorization = basicAuthorization(auth.clientId, auth.clientSecret);
  else if (auth.method === 'none') form.set('client_id', auth.clientId);
  const res = await send(http, endpoint, { method: 'POST', headers, body: form.toString() });
  if (res.ok) return;
  const b = ((await readBody(res).catch(() => undefined)) ?? {}) as Record<string, unknown>;
  throw new LatchkeyAuthError({
    error: typeof b.error === 'string' ? b.error : 'invalid_response',
    errorDescription: typeof b.error_description === 'string' ? http.secrets.redact(b.error_description) : undefined,
    status: res.status,
    context: 'revocation failed',
  });
}

/** RFC 7662: what the server says of a token (`active` and, when active, its claims). */
export interface Introspection {
  active: boolean;
  [claim: string]: unknown;
}

/** RFC 7662 introspection as a confidential client; errors are reported like token errors. */
export async function introspectToken(
  http: HttpOptions,
  endpoint: string,
  auth: ClientAuth & { method: 'basic' },
  token: string,
): Promise<Introspection> {
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    authorization: basicAuthorization(auth.clientId, auth.clientSecret),
  };
  const res = await send(http, endpoint, { method: 'POST', headers, body: new URLSearchParams({ token }).toString() });
  const b = ((await readBody(res).catch(() => undefined)) ?? {}) as Record<string, unknown>;
  if (!res.ok || typeof b.active !== 'boolean') {
    throw new LatchkeyAuthError({
      error: typeof b.error === 'string' ? b.error : 'invalid_response',
      errorDescription:
        typeof b.error_description === 'string'
          ? http.secrets.redact(b.error_description)
          : `the introspection endpoint answered HTTP ${res.status}`,
      status: res.status,
      context: 'introspection failed',
    });
  }
  return b as Introspection;
}
