import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Fetches the key document (`{"public_keys":[{"key_identifier","key","is_current"}]}`) as text. */
export type FetchKeys = (url: string) => Promise<string>;

export async function fetchKeysOverHttp(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`key URL answered ${res.status}`);
  return res.text();
}

/**
 * GitHub's secret-scanning public keys (ECDSA P-256), cached. An unknown identifier refreshes the
 * cache, but at most once per `minRefreshMs`: a caller sending random identifiers must not make us
 * hammer the key URL. Concurrent refreshes share one fetch.
 */
export class GitHubKeyCache {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = -Infinity;
  private inFlight: Promise<void> | undefined;
  /** Why the last fetch failed: answered until the next allowed fetch, rather than "unknown key". */
  private lastError: Error | undefined;

  constructor(
    private readonly url: string,
    private readonly minRefreshMs: number,
    private readonly fetchKeys: FetchKeys = fetchKeysOverHttp,
    private readonly now: () => number = Date.now,
    /** Told of each failed fetch (at most one per `minRefreshMs`), not of each lookup answered with it. */
    private readonly onFetchError: (err: Error) => void = () => {},
  ) {}

  /** The key for an identifier, refreshing once if it is unknown and the last fetch is old enough. */
  async key(identifier: string): Promise<KeyObject | undefined> {
    const known = this.keys.get(identifier);
    if (known) return known;
    if (this.inFlight) await this.inFlight.catch(() => {});
    else if (this.now() - this.fetchedAt >= this.minRefreshMs) await this.refresh();
    const key = this.keys.get(identifier);
    if (!key && this.lastError) throw this.lastError;
    return key;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= (async () => {
      try {
        this.fetchedAt = this.now();
        this.keys = parseKeys(await this.fetchKeys(this.url));
        this.lastError = undefined;
      } catch (err) {
        this.lastError = err as Error;
        this.onFetchError(this.lastError);
        throw err;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}

function parseKeys(text: string): Map<string, KeyObject> {
  const doc = JSON.parse(text) as { public_keys?: unknown };
  if (!Array.isArray(doc.public_keys)) throw new Error('key document has no public_keys array');
  const out = new Map<string, KeyObject>();
  for (const k of doc.public_keys as { key_identifier?: unknown; key?: unknown }[]) {
    if (typeof k?.key_identifier !== 'string' || typeof k.key !== 'string') continue;
    try {
      const key = createPublicKey(k.key);
      if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
        out.set(k.key_identifier, key);
    } catch {
      // A key we cannot read verifies nothing; the others still do.
    }
  }
  return out;
}

/** ECDSA P-256 / SHA-256 over the raw body; the signature is base64 DER, as GitHub sends it. */
export function signatureValid(key: KeyObject, rawBody: Buffer, signatureB64: string): boolean {
  const signature = Buffer.from(signatureB64, 'base64');
  if (signature.length === 0 || signature.length > 80) return false;
  try {
    return verify('sha256', rawBody, key, signature);
  } catch {
    return false;
  }
}
