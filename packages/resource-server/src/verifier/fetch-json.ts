// The verifier's only way out to the network: metadata, JWKS and introspection all go through here,
// so a test can count or fake every call by passing its own `fetch`.

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/** Answers larger than this are not key sets or metadata; refuse them rather than buffer them. */
const MAX_BYTES = 256 * 1024;

/**
 * One request with a timeout and no redirects (a redirect could move key material to another
 * origin). Network failures and unparseable bodies throw; any HTTP status is returned.
 */
export async function fetchJson(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<JsonAnswer> {
  const response = await fetchImpl(url, {
    ...init,
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) },
  });
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error(`answer of ${url} is larger than ${MAX_BYTES} bytes`);
  if (response.status === 404 || text.length === 0) return { status: response.status, body: undefined };
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    throw new Error(`answer of ${url} (HTTP ${response.status}) is not JSON`);
  }
}

export function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
