import type { AccessToken, ObtainRequest } from './credentials/types.js';

export interface TokenCacheOptions {
  /** Refresh this long before expiry (default 60 s; at most half the token's lifetime). */
  refreshSkewMs: number;
  now: () => number;
}

/**
 * Holds the current access token and refreshes it through `obtain` shortly before it expires or when
 * an API called it expired. All callers waiting for a token share one in-flight refresh, so twenty
 * concurrent requests on an expired token cost one token request (and one refresh-token rotation).
 */
export class TokenCache {
  #current: AccessToken | undefined;
  #inflight: Promise<AccessToken> | undefined;
  readonly #obtain: (request: ObtainRequest) => Promise<AccessToken>;
  readonly #options: TokenCacheOptions;

  constructor(obtain: (request: ObtainRequest) => Promise<AccessToken>, options: TokenCacheOptions) {
    this.#obtain = obtain;
    this.#options = options;
  }

  /** True while `token` is good for at least the refresh margin. */
  isFresh(token: AccessToken): boolean {
    if (token.expiresAt === undefined) return true;
    const lifetime = Math.max(0, token.expiresAt - token.issuedAt);
    const margin = Math.min(this.#options.refreshSkewMs, lifetime / 2);
    return this.#options.now() < token.expiresAt - margin;
  }

  /**
   * A usable access token. `stale`: the token an API just rejected as expired (refresh unless someone
   * already replaced it); `force`: refresh even if the cached token looks fine.
   */
  async get(opts: { stale?: string; force?: boolean } = {}): Promise<string> {
    if (this.#inflight) return (await this.#inflight).value;
    const current = this.#current;
    if (current && this.isFresh(current) && !opts.force && (opts.stale === undefined || opts.stale !== current.value)) {
      return current.value;
    }
    return (await this.#refresh({ stale: opts.stale ?? current?.value, force: opts.force })).value;
  }

  /** Forgets the cached token (after a logout). */
  clear(): void {
    this.#current = undefined;
  }

  #refresh(request: ObtainRequest): Promise<AccessToken> {
    this.#inflight ??= (async () => {
      try {
        const token = await this.#obtain(request);
        this.#current = token;
        return token;
      } finally {
        this.#inflight = undefined;
      }
    })();
    return this.#inflight;
  }
}
