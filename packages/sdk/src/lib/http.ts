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
    const why = e.name === 'TimeoutError' ? `no answer within ${http.timeoutMs} ms`
      : e.cause?.code ?? e.cause?.message ?? e.message;
    throw new LatchkeyNetworkError(`${init.method ?? 'GET'} ${displayUrl(url)}: ${http.secrets.redact(String(why))}`, { cause: err });
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

/** True for a 401 that says the access token expired (`errorMessage` contains `Expired`, or the challenge does). */
export function saysExpired(body: unknown, wwwAuthenticate: string | null): boolean {
  const texts = [errorText(body), wwwAuthenticate ?? undefined];
  return texts.some((t) => t !== undefined && /expired/i.test(t));
}

/** Builds the typed error for a failed API answer. */
export function apiError(http: HttpOptions, method: string, url: string | URL, res: Response, body: unknown): LatchkeyApiError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const type = str(b.type);
  const detail = errorText(body);
  return new LatchkeyApiError({
    status: res.status,
    title: str(b.title) ?? (res.statusText || `HTTP ${res.status}`),
    detail: detail === undefined ? undefined : http.secrets.redact(detail),
    type,
    problemCode: str(b.code) ?? (type ? type.split('/').pop() : undefined),
    method,
    url: displayUrl(url),
  });
}
