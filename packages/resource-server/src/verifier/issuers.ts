// Which authorization-server metadata a tenant's token is checked against. A tenant is trusted in
// one of two ways, or both:
//   latchkeyUrl  every tenant of one server in the path form: metadata at
//                `{latchkeyUrl}/.well-known/oauth-authorization-server/t/{tenant}`, whose issuer must
//                end in /t/{tenant} (the API may reach the server on another address than its public one);
//   issuers      named tenants' issuers, in either form (a tenant host's `https://acme.id.example.com`,
//                or `https://login.example.com/t/acme`): metadata at each one's RFC 8414 address,
//                whose issuer must be exactly the one configured (RFC 8414 §3.3).
// A token's `iss` only picks among the issuers configured for its tenant: it never makes the API
// fetch from an address of the token's choosing.
import { InvalidToken } from './errors.js';

/** One metadata document to fetch, and the issuer it must name. */
export interface MetadataSource {
  /** Cache key: one per document. */
  key: string;
  tenant: string;
  url: string;
  /** The issuer the document must name exactly; undefined: any ending in /t/{tenant} (latchkeyUrl). */
  issuer?: string;
}

// Latchkey's tenant slugs; anything else is not a tenant and is never sent to the server.
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function unknownTenant(tenant: string, why = 'the authorization server does not know it'): InvalidToken {
  return new InvalidToken('ERR_UNKNOWN_TENANT', `Unknown tenant "${tenant}": ${why}`);
}

/** RFC 8414 §3: the well-known segment goes between the host and the issuer's path. */
export function metadataUrl(issuer: string): string {
  const u = new URL(issuer);
  return `${u.origin}/.well-known/oauth-authorization-server${u.pathname === '/' ? '' : u.pathname}`;
}

/**
 * Checks and normalises the `issuers` option (tenant slug -> issuer or issuers; trailing slashes
 * dropped, as Latchkey's issuers have none). Throws a TypeError naming the bad entry.
 */
export function checkIssuers(issuers: Record<string, string | readonly string[]>): Map<string, string[]> {
  if (!issuers || typeof issuers !== 'object' || Array.isArray(issuers))
    throw new TypeError('issuers must be an object: {"<tenant>": "<issuer>" or ["<issuer>", …]}');
  const out = new Map<string, string[]>();
  for (const [tenant, value] of Object.entries(issuers)) {
    if (!SLUG.test(tenant)) throw new TypeError(`issuers: "${tenant}" is not a tenant slug`);
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0)
      throw new TypeError(`issuers.${tenant} must be an issuer URL or a non-empty list of them`);
    out.set(
      tenant,
      list.map((raw: unknown) => {
        let u: URL | undefined;
        try {
          u = typeof raw === 'string' ? new URL(raw) : undefined;
        } catch {
          u = undefined;
        }
        if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || /[?#]/.test(raw as string))
          throw new TypeError(
            `issuers.${tenant}: ${JSON.stringify(raw)} is not an issuer (an http(s) URL without query or fragment)`,
          );
        return (raw as string).replace(/\/+$/, '');
      }),
    );
  }
  return out;
}

export class IssuerDirectory {
  private readonly base: string | undefined;

  constructor(
    latchkeyUrl: string | undefined,
    private readonly issuers: Map<string, string[]>,
  ) {
    this.base = latchkeyUrl?.replace(/\/+$/, '');
  }

  /** The metadata to check a token of `tenant` claiming `iss` against; throws before any fetch. */
  sourceFor(tenant: string, iss: unknown): MetadataSource {
    if (!SLUG.test(tenant)) throw unknownTenant(tenant);
    const pinned = this.issuers.get(tenant) ?? [];
    const match = pinned.find((i) => i === iss);
    if (match) return { key: `issuer ${match}`, tenant, url: metadataUrl(match), issuer: match };
    if (this.base !== undefined)
      return {
        key: `tenant ${tenant}`,
        tenant,
        url: `${this.base}/.well-known/oauth-authorization-server/t/${tenant}`,
      };
    if (pinned.length === 0) throw unknownTenant(tenant, 'this API trusts no issuer for it');
    throw new InvalidToken(
      'ERR_TOKEN_ISSUER',
      `Wrong issuer: the token was issued by ${JSON.stringify(iss)}, tenant "${tenant}" expects ${pinned.map((i) => JSON.stringify(i)).join(' or ')}`,
    );
  }
}
