import { createLocalJWKSet, type JWK, type JWSHeaderParameters, type FlattenedJWSInput } from 'jose';
import { discoverIssuer, FAILED_DISCOVERY_MS, isProviderUrl, IssuerProblem } from '../sso/discovery.js';
import { outboundFailure, type OutboundGuard } from '../../lib/outbound-guard.js';
import type { IssuerCheck } from './policies.js';

/** Keys older than this are fetched again (with the discovery document) before they are used. */
export const KEYS_MAX_AGE_MS = 10 * 60_000;
/** An unknown `kid` fetches the keys again at most this often per issuer (anyone can send one). */
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
/** While fetching fails, keys this young are still used (a short outage at the issuer stops nothing). */
export const STALE_KEYS_MS = 60 * 60_000;
const MAX_JWKS_BYTES = 256 * 1024;
const MAX_KEYS = 100;
const MAX_ISSUERS = 1000;
const FETCH_TIMEOUT_MS = 10_000;
// The client id openid-client's discovery needs: nothing is ever sent under it.
const DISCOVERY_CLIENT = 'latchkey-federation';

type KeySet = ReturnType<typeof createLocalJWKSet>;

interface Keys {
  set: KeySet;
  fetchedAt: number;
}

interface Entry {
  keys?: Keys;
  jwksUri?: string;
  loading?: Promise<Keys>;
  failedAt?: number;
  failure?: IssuerProblem;
  /** When an unknown kid last made us fetch again. */
  refetchedAt: number;
}

/** Reads a response body, refusing one larger than `max` bytes before it is all in memory. */
async function readBounded(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) throw new IssuerProblem('invalid', `${what} is larger than ${max / 1024} KiB`);
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new IssuerProblem('invalid', `${what} is larger than ${max / 1024} KiB`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The public keys a JWKS document holds that can verify a signature: asymmetric (RSA, EC, OKP),
 * not marked for encryption, without private parts. A symmetric key would turn a published
 * value into a shared secret, so `oct` keys are never taken.
 */
export function signingKeys(doc: unknown): JWK[] {
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new IssuerProblem('invalid', 'the issuer\'s JWKS is not {"keys": [...]}');
  const usable = keys.filter(
    (k): k is JWK =>
      typeof k === 'object' &&
      k !== null &&
      ['RSA', 'EC', 'OKP'].includes((k as JWK).kty as string) &&
      ((k as JWK).use === undefined || (k as JWK).use === 'sig') &&
      !('d' in k),
  );
  if (usable.length === 0) throw new IssuerProblem('invalid', "the issuer's JWKS holds no public signing key");
  return usable.slice(0, MAX_KEYS);
}

/**
 * The keys of the external issuers that federation policies trust, found by OpenID Connect
 * discovery and kept in memory per issuer (every tenant trusting GitHub shares GitHub's keys: they
 * are public). Every request goes through the outbound guard with SSO discovery's bounds; keys are
 * fetched again when older than KEYS_MAX_AGE_MS, and when a token names a kid they lack (an
 * issuer's rotation), at most once per UNKNOWN_KID_COOLDOWN_MS. Only issuers that a policy names
 * are ever fetched: a token's `iss` is looked up among the tenant's policies first.
 */
export class IssuerKeys implements IssuerCheck {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly outbound: OutboundGuard,
    private readonly now: () => number = Date.now,
  ) {}

  /** Discovery and keys fetched afresh (a policy is being saved for this issuer); throws IssuerProblem. */
  async check(issuer: string): Promise<void> {
    const e = this.entry(issuer);
    e.loading = undefined;
    await this.load(issuer, e, true);
  }

  /**
   * A jose key resolver for tokens of `issuer`: the key the header names, fetching the keys again
   * when it is unknown and the cooldown allows. Throws IssuerProblem when the keys cannot be had.
   */
  resolver(issuer: string): (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey> {
    return async (header, token) => {
      const e = this.entry(issuer);
      const keys = await this.current(issuer, e);
      try {
        return await keys.set(header, token);
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY') throw err;
        if (this.now() - e.refetchedAt < UNKNOWN_KID_COOLDOWN_MS) throw err;
        e.refetchedAt = this.now();
        return (await this.load(issuer, e, false)).set(header, token);
      }
    };
  }

  private entry(issuer: string): Entry {
    let e = this.entries.get(issuer);
    if (!e) {
      if (this.entries.size >= MAX_ISSUERS) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(issuer, (e = { refetchedAt: -Infinity }));
    }
    return e;
  }

  /** The keys to verify with now: fresh ones, else fetched again (young stale keys outlive a failed fetch). */
  private async current(issuer: string, e: Entry): Promise<Keys> {
    const now = this.now();
    if (e.keys && now - e.keys.fetchedAt < KEYS_MAX_AGE_MS) return e.keys;
    if (e.failure && e.failedAt !== undefined && now - e.failedAt < FAILED_DISCOVERY_MS) {
      if (e.keys && now - e.keys.fetchedAt < STALE_KEYS_MS) return e.keys;
      throw e.failure;
    }
    try {
      return await this.load(issuer, e, true);
    } catch (err) {
      if (err instanceof IssuerProblem && e.keys && now - e.keys.fetchedAt < STALE_KEYS_MS) return e.keys;
      throw err;
    }
  }

  /** Fetches the keys (and first the discovery document when `discover`), one fetch at a time per issuer. */
  private load(issuer: string, e: Entry, discover: boolean): Promise<Keys> {
    e.loading ??= (async () => {
      try {
        if (discover || e.jwksUri === undefined) {
          const meta = (await discoverIssuer(this.outbound, issuer, DISCOVERY_CLIENT)).serverMetadata();
          if (!meta.jwks_uri)
            throw new IssuerProblem('invalid', 'the discovery document has no jwks_uri: tokens could not be verified');
          if (!isProviderUrl(meta.jwks_uri))
            throw new IssuerProblem(
              'invalid',
              "the discovery document's jwks_uri must be an https URL (plain http only on the loopback interface)",
            );
          e.jwksUri = meta.jwks_uri;
        }
        const keys = { set: createLocalJWKSet({ keys: await this.fetchJwks(e.jwksUri) }), fetchedAt: this.now() };
        e.keys = keys;
        e.failure = e.failedAt = undefined;
        return keys;
      } catch (err) {
        const problem =
          err instanceof IssuerProblem
            ? err
            : new IssuerProblem('invalid', `the issuer's keys are unusable: ${(err as Error).message}`);
        e.failure = problem;
        e.failedAt = this.now();
        throw problem;
      } finally {
        e.loading = undefined;
      }
    })();
    return e.loading;
  }

  private async fetchJwks(uri: string): Promise<JWK[]> {
    const what = `the issuer's JWKS (${uri})`;
    let res: Response;
    try {
      res = await this.outbound.fetch(uri, {
        redirect: 'manual',
        headers: { accept: 'application/json, application/jwk-set+json' },
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch (err) {
      throw new IssuerProblem('unreachable', `${what} could not be fetched: ${outboundFailure(err)}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new IssuerProblem('unreachable', `${what} could not be fetched: HTTP ${res.status}`);
    }
    let text: string;
    try {
      text = await readBounded(res, MAX_JWKS_BYTES, what);
    } catch (err) {
      if (err instanceof IssuerProblem) throw err;
      throw new IssuerProblem('unreachable', `${what} could not be fetched: ${outboundFailure(err)}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new IssuerProblem('invalid', `${what} is not JSON`);
    }
    return signingKeys(doc);
  }
}
