// RFC 8414 discovery per tenant: the metadata document (where: issuers.ts) names the tenant's issuer,
// JWKS and introspection endpoint. This is all the API learns about Latchkey.
import { AuthorizationServerUnavailable, InvalidToken } from './errors.js';
import { describeFailure, fetchJson, type FetchLike } from './fetch-json.js';
import { unknownTenant, type MetadataSource } from './issuers.js';

export interface AuthorizationServerMetadata {
  issuer: string;
  jwks_uri: string;
  introspection_endpoint?: string;
}

export interface DiscoveryOptions {
  fetch: FetchLike;
  now: () => number;
  timeoutMs: number;
  /** Metadata older than this is refreshed in the background; the stale copy keeps serving meanwhile. */
  maxAgeMs: number;
  onFetch?: (tenant: string, outcome: 'found' | 'unknown' | 'failed', error?: string) => void;
}

// A slug the server does not know is remembered this long, so random slugs in URLs cannot make this
// API call the authorization server on every request.
const UNKNOWN_TTL_MS = 30_000;
// After a failed fetch (server down), requests fail fast this long instead of piling up on it.
const FAILURE_TTL_MS = 1_000;
const MAX_ENTRIES = 1_000;

type Entry =
  | { kind: 'found'; metadata: AuthorizationServerMetadata; fetchedAt: number }
  | { kind: 'unknown'; until: number }
  | { kind: 'failed'; until: number; error: AuthorizationServerUnavailable };

function httpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

export class MetadataCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<AuthorizationServerMetadata>>();

  constructor(private readonly opts: DiscoveryOptions) {}

  async get(source: MetadataSource): Promise<AuthorizationServerMetadata> {
    const e = this.entries.get(source.key);
    const now = this.opts.now();
    if (e?.kind === 'found') {
      if (now - e.fetchedAt > this.opts.maxAgeMs)
        this.refresh(source).catch(() => {
          /* stale copy stays */
        });
      return e.metadata;
    }
    if (e?.kind === 'unknown' && now < e.until) throw unknownTenant(source.tenant);
    if (e?.kind === 'failed' && now < e.until) throw e.error;
    return this.refresh(source);
  }

  private refresh(source: MetadataSource): Promise<AuthorizationServerMetadata> {
    let p = this.pending.get(source.key);
    if (!p) {
      p = this.fetchNow(source).finally(() => this.pending.delete(source.key));
      this.pending.set(source.key, p);
    }
    return p;
  }

  private async fetchNow(source: MetadataSource): Promise<AuthorizationServerMetadata> {
    const { tenant, url, key } = source;
    let failure: string;
    try {
      const { status, body } = await fetchJson(this.opts.fetch, url, { method: 'GET' }, this.opts.timeoutMs);
      if (status === 404) {
        this.set(key, { kind: 'unknown', until: this.opts.now() + UNKNOWN_TTL_MS });
        this.opts.onFetch?.(tenant, 'unknown');
        throw unknownTenant(tenant);
      }
      const md = body as Partial<AuthorizationServerMetadata> | undefined;
      if (status !== 200) {
        failure = `HTTP ${status}`;
      } else if (
        !md ||
        typeof md.issuer !== 'string' ||
        (source.issuer !== undefined ? md.issuer !== source.issuer : !md.issuer.endsWith(`/t/${tenant}`))
      ) {
        // The issuer must be this tenant's: a configured one exactly; under latchkeyUrl the host may
        // differ (an API may reach the server on an internal address), the tenant may not.
        const expected = source.issuer !== undefined ? JSON.stringify(source.issuer) : `tenant ${tenant}'s`;
        failure = `its issuer ${JSON.stringify(md?.issuer)} is not ${expected}`;
      } else if (!httpUrl(md.jwks_uri)) {
        failure = 'it names no valid jwks_uri';
      } else {
        const metadata: AuthorizationServerMetadata = {
          issuer: md.issuer,
          jwks_uri: md.jwks_uri,
          ...(httpUrl(md.introspection_endpoint) ? { introspection_endpoint: md.introspection_endpoint } : {}),
        };
        this.set(key, { kind: 'found', metadata, fetchedAt: this.opts.now() });
        this.opts.onFetch?.(tenant, 'found');
        return metadata;
      }
    } catch (err) {
      if (err instanceof InvalidToken) throw err;
      failure = describeFailure(err);
    }
    const detail = `${url}: ${failure}`;
    this.opts.onFetch?.(tenant, 'failed', detail);
    const stale = this.entries.get(key);
    if (stale?.kind === 'found') return stale.metadata;
    const error = new AuthorizationServerUnavailable(
      `Cannot verify tokens of tenant "${tenant}" now: the authorization server's metadata is unavailable`,
      { detail },
    );
    this.set(key, { kind: 'failed', until: this.opts.now() + FAILURE_TTL_MS, error });
    throw error;
  }

  private set(key: string, entry: Entry): void {
    this.entries.delete(key);
    // Oldest first out: unknown slugs cannot grow this map without bound.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry);
  }
}
