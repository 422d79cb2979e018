// One tenant's public signing keys, fetched once and kept in memory, so verifying a token costs no
// network call. Written here instead of jose's createRemoteJWKSet because its cooldown counts from
// the last *successful* fetch with the wall clock: a kid-miss right after start-up waits out the
// cooldown (a key rotated at that moment is refused for up to 30 s), and while the server is down
// every forged kid triggers another fetch. Here:
//   - a token with an unknown kid triggers at most one refetch per `refetchIntervalMs` (30 s),
//     counted from the last kid-miss refetch *attempt*, success or not: no refetch storm from
//     forged kids, and a rotation is picked up at once unless a refetch happened in the last 30 s;
//   - concurrent misses share one fetch, and a fetch made for this very token is never repeated;
//   - keys older than `maxAgeMs` are refreshed in the background while the old set keeps serving;
//   - the clock and fetch are injectable (tests count fetches and move time).
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JWSHeaderParameters, type LocalJWKSet } from 'jose';
import { AuthorizationServerUnavailable } from './errors.js';
import { describeFailure, fetchJson, type FetchLike } from './fetch-json.js';

export type JwksFetchReason = 'initial' | 'unknown-kid' | 'max-age';

export interface JwksFetchEvent {
  uri: string;
  reason: JwksFetchReason;
  /** The kids now known, after a successful fetch. */
  kids?: string[];
  /** Why the fetch failed. */
  error?: string;
}

export interface JwksCacheOptions {
  fetch: FetchLike;
  now: () => number;
  timeoutMs: number;
  refetchIntervalMs: number;
  maxAgeMs: number;
  onFetch?: (event: JwksFetchEvent) => void;
}

// A cold cache whose fetch just failed fails fast this long instead of piling requests on the server.
const COLD_FAILURE_TTL_MS = 1_000;

type JsonKey = Record<string, unknown>;

/** Only public signature keys; anything else in the set is ignored, never trusted. */
function usable(k: unknown): k is JsonKey {
  const key = k as JsonKey;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.kty === 'string' &&
    ['EC', 'RSA', 'OKP'].includes(key.kty) &&
    !('d' in key) &&
    (key.use === undefined || key.use === 'sig')
  );
}

export class JwksCache {
  private local: LocalJWKSet | undefined;
  private fetchedAt = -Infinity;
  private lastAttemptAt = -Infinity;
  private lastKidRefetchAt = -Infinity;
  private coldFailure: { until: number; error: AuthorizationServerUnavailable } | undefined;
  private pending: Promise<void> | undefined;

  constructor(
    readonly uri: string,
    private readonly opts: JwksCacheOptions,
  ) {}

  /** The kids currently cached (for logs and tests). */
  get kids(): string[] {
    return this.local ? this.local.jwks().keys.map((k) => String(k.kid)) : [];
  }

  /**
   * Whether `kid` is still published, for tokens verified before: a key unpublished at Latchkey (a
   * rotation after a leak) stops vouching for them once the keys are refreshed. Old keys are
   * refreshed in the background, as for `getKey`.
   */
  publishes(kid: string): boolean {
    if (this.opts.now() - this.fetchedAt > this.opts.maxAgeMs) this.refreshInBackground();
    return this.kidSet.has(kid);
  }

  private kidSet = new Set<string>();

  /** A jose key resolver: `jwtVerify(token, cache.getKey, …)`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    let fetchedForThisToken = false;
    if (!this.local) {
      await this.load('initial');
      fetchedForThisToken = true;
    } else if (this.opts.now() - this.fetchedAt > this.opts.maxAgeMs) {
      this.refreshInBackground();
    }
    try {
      return await this.local!(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || fetchedForThisToken) throw err;
      if (this.pending) {
        // A fetch is already under way; its answer may hold the kid. It costs nothing extra.
        await this.pending.catch(() => {});
      } else {
        const now = this.opts.now();
        if (now - this.lastKidRefetchAt < this.opts.refetchIntervalMs) throw err;
        this.lastKidRefetchAt = now;
        await this.load('unknown-kid');
      }
      return this.local!(header, token);
    }
  };

  private refreshInBackground(): void {
    if (this.pending || this.opts.now() - this.lastAttemptAt < this.opts.refetchIntervalMs) return;
    this.load('max-age').catch(() => {
      /* the old keys keep serving; reported through onFetch */
    });
  }

  private load(reason: JwksFetchReason): Promise<void> {
    if (this.pending) return this.pending;
    if (!this.local && this.coldFailure && this.opts.now() < this.coldFailure.until) {
      return Promise.reject(this.coldFailure.error);
    }
    const p: Promise<void> = this.fetchNow(reason).finally(() => {
      if (this.pending === p) this.pending = undefined;
    });
    this.pending = p;
    return p;
  }

  private async fetchNow(reason: JwksFetchReason): Promise<void> {
    this.lastAttemptAt = this.opts.now();
    let failure: string;
    try {
      const { status, body } = await fetchJson(this.opts.fetch, this.uri, { method: 'GET' }, this.opts.timeoutMs);
      const keys = (body as { keys?: unknown } | undefined)?.keys;
      if (status !== 200) {
        failure = `HTTP ${status}${status === 401 ? ' (the tenant has turned public signing-key access off)' : ''}`;
      } else if (!Array.isArray(keys)) {
        failure = 'the answer is not a JSON Web Key Set';
      } else {
        this.local = createLocalJWKSet({ keys: keys.filter(usable) as never });
        this.kidSet = new Set(this.kids);
        this.fetchedAt = this.opts.now();
        this.coldFailure = undefined;
        this.opts.onFetch?.({ uri: this.uri, reason, kids: this.kids });
        return;
      }
    } catch (err) {
      failure = describeFailure(err);
    }
    this.opts.onFetch?.({ uri: this.uri, reason, error: failure });
    const error = new AuthorizationServerUnavailable(
      "Cannot verify the token now: the tenant's signing keys are unavailable",
      { detail: `${this.uri}: ${failure}` },
    );
    if (!this.local) this.coldFailure = { until: this.opts.now() + COLD_FAILURE_TTL_MS, error };
    throw error;
  }
}
