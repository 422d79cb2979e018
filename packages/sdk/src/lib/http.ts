import { LatchkeyApiError, LatchkeyNetworkError } from '../errors.js';
import type { SecretSet } from './redact.js';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options every outgoing request shares. */
export interface HttpOptions {
  fetch: FetchLike;
  timeoutMs: number;
  userAgent: string;
  secrets: SecretSet;
}

/** `https://host/path` without query string or fragment (query strings may carry anything). */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** fetch with a timeout and a User-Agent; network failures become LatchkeyNetworkError. */
export async function send(http: HttpOptions, url: string | URL, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('user-agent')) headers.set('user-agent', http.userAgent);
  const signal = init.signal ?? AbortSignal.timeout(http.timeoutMs);
  try {
    return await http.fetch(url, { ...init, headers, signal });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${http.timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new LatchkeyNetworkError(`${init.method ?? 'GET'} ${displayUrl(url)}: ${http.secrets.redact(String(why))}`, {
      cause: err,
    });
  }
}

/** The body as JSON when it is JSON, as text otherwise, undefined when empty. */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The error message of an API answer, whatever its style: RFC 9457 `detail`, the sample API's
 * `errorMessage`, a generic `message`, or an OAuth `error_description`.
 */
export function errorText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 500) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  return str(b.detail) ?? str(b.errorMessage) ?? str(b.message) ?? str(b.error_description) ?? str(b.error);
}

/**
 * The server's stable error code, whatever its style: a Latchkey problem document's `code`, the
 * resource server's (and its verifier's) `errorCode`, or an OAuth `error`. Never read from the
 * message, which is for people. An older server's problem without `code`: its type URL's last word.
 */
export function errorCode(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const type = str(b.type);
  return (
    str(b.code) ??
    str(b.errorCode) ??
    str(b.error) ??
    (type?.includes('/problems/') ? type.split('/').pop()!.replaceAll('-', '_') : undefined)
  );
}

/**
 * The 401 codes a new access token mends: the token's time is up, or it names a signing key the
 * tenant withdrew. Every other 401 (revoked token or client, disabled user, invalid token) is final:
 * refreshing would only spend a refresh token. packages/sdk/test/fixtures/error-cases.json holds
 * the cases the Python client decides identically.
 */
export const REFRESHABLE_CODES: ReadonlySet<string> = new Set([
  'token_expired',
  'token_unknown_key',
  'ERR_TOKEN_EXPIRED',
  'ERR_TOKEN_UNKNOWN_KEY',
]);

/** True for an answer that one refresh and retry can mend (decided by code, see REFRESHABLE_CODES). */
export function refreshMayMend(status: number, body: unknown): boolean {
  const code = errorCode(body);
  return status === 401 && code !== undefined && REFRESHABLE_CODES.has(code);
}

/** Builds the typed error for a failed API answer. */
export function apiError(
  http: HttpOptions,
  method: string,
  url: string | URL,
  res: Response,
  body: unknown,
): LatchkeyApiError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const detail = errorText(body);
  return new LatchkeyApiError({
    status: res.status,
    title: str(b.title) ?? (res.statusText || `HTTP ${res.status}`),
    detail: detail === undefined ? undefined : http.secrets.redact(detail),
    type: str(b.type),
    problemCode: errorCode(body),
    method,
    url: displayUrl(url),
  });
}
