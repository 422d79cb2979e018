// Optional RFC 7662 introspection, for APIs that must see a revocation at once instead of when the
// token expires. It runs after offline verification (garbage never reaches the authorization
// server), authenticates as the API's own confidential client (HTTP Basic), and caches only
// positive answers, briefly: a revoked token is refused from the next request after the cache
// entry lapses (default 10 s), and a token once refused is asked about again every time.
import { createHash } from 'node:crypto';
import { AuthorizationServerUnavailable, InvalidToken } from './errors.js';
import { describeFailure, fetchJson, type FetchLike } from './fetch-json.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface IntrospectionOptions {
  /** The API's own client per tenant (a confidential client of that tenant). */
  credentials: Record<string, ClientCredentials> | ((tenant: string) => ClientCredentials | undefined);
  /** How long an "active" answer is reused, capped by the token's exp. Default 10; 0 disables the cache. */
  cacheSeconds?: number;
  /** Upper bound of cached answers (oldest dropped first). Default 10 000. */
  maxEntries?: number;
}

interface Deps {
  fetch: FetchLike;
  now: () => number;
  timeoutMs: number;
}

const UNAVAILABLE = 'Cannot verify the token now: token introspection is unavailable';

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding. */
function basic({ clientId, clientSecret }: ClientCredentials): string {
  return (
    'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')
  );
}

export class Introspector {
  private readonly cache = new Map<string, number>(); // sha256(token) -> reusable until (ms)
  private readonly pending = new Map<string, Promise<void>>();
  private readonly cacheMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly opts: IntrospectionOptions,
    private readonly deps: Deps,
  ) {
    this.cacheMs = Math.max(0, opts.cacheSeconds ?? 10) * 1000;
    this.maxEntries = opts.maxEntries ?? 10_000;
  }

  /** Resolves when the authorization server says the token is active; throws otherwise. */
  async check(tenant: string, endpoint: string | undefined, token: string, exp: number): Promise<void> {
    const key = createHash('sha256').update(token).digest('base64url');
    const until = this.cache.get(key);
    if (until !== undefined) {
      if (this.deps.now() < until) return;
      this.cache.delete(key);
    }
    // Concurrent requests with one token share one call.
    let p = this.pending.get(key);
    if (!p) {
      p = this.ask(tenant, endpoint, token, key, exp).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private async ask(
    tenant: string,
    endpoint: string | undefined,
    token: string,
    key: string,
    exp: number,
  ): Promise<void> {
    const creds =
      typeof this.opts.credentials === 'function' ? this.opts.credentials(tenant) : this.opts.credentials[tenant];
    // Fail closed: an API that asked for introspection never falls back to offline-only.
    if (!creds)
      throw new AuthorizationServerUnavailable(UNAVAILABLE, {
        detail: `no introspection client credentials for tenant "${tenant}"`,
      });
    if (!endpoint)
      throw new AuthorizationServerUnavailable(UNAVAILABLE, {
        detail: `tenant "${tenant}" publishes no introspection endpoint`,
      });
    let answer;
    try {
      answer = await fetchJson(
        this.deps.fetch,
        endpoint,
        {
          method: 'POST',
          headers: { authorization: basic(creds), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        },
        this.deps.timeoutMs,
      );
    } catch (err) {
      throw new AuthorizationServerUnavailable(UNAVAILABLE, {
        cause: err,
        detail: `${endpoint}: ${describeFailure(err)}`,
      });
    }
    if (answer.status === 401 || answer.status === 400) {
      throw new AuthorizationServerUnavailable(UNAVAILABLE, {
        detail: `${endpoint} refused this API's client credentials for tenant "${tenant}" (HTTP ${answer.status})`,
      });
    }
    if (answer.status !== 200)
      throw new AuthorizationServerUnavailable(UNAVAILABLE, { detail: `${endpoint} answered HTTP ${answer.status}` });
    if ((answer.body as { active?: unknown } | undefined)?.active !== true) {
      throw new InvalidToken(
        'ERR_TOKEN_INACTIVE',
        'Inactive token: the authorization server reports it revoked or no longer valid',
      );
    }
    if (this.cacheMs > 0) this.remember(key, Math.min(this.deps.now() + this.cacheMs, exp * 1000));
  }

  private remember(key: string, until: number): void {
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, until);
  }
}
