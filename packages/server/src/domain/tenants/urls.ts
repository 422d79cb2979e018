import type { HostDirectory } from './host-directory.js';
import { hostOrigin } from './hosts.js';
import { SLUG_PATTERN } from './service.js';

/**
 * The URLs a tenant answers at, each an issuer of its tokens: `PUBLIC_URL/t/{slug}` (path tenancy)
 * and `https://{host}` for each host that serves it (PUBLIC_URL's scheme and port). A token carries
 * the one it was requested through; the server accepts any of its tenant's, never another's.
 */
export class TenantUrls {
  private readonly prefix: string;
  private memo = new Map<string, readonly string[]>();
  private memoVersion = -1;

  constructor(
    private readonly publicUrl: string,
    private readonly hosts: Pick<HostDirectory, 'hostsOf' | 'tenantOf' | 'version'>,
  ) {
    this.prefix = `${publicUrl}/t/`;
  }

  /** The path form, `PUBLIC_URL/t/{slug}`. */
  pathIssuer(slug: string): string {
    return this.prefix + slug;
  }

  /** The host form, `https://{host}`. */
  hostIssuer(host: string): string {
    return hostOrigin(this.publicUrl, host);
  }

  /** Every issuer the tenant's tokens may carry: the path form first, then its hosts'. */
  issuers(slug: string): readonly string[] {
    if (this.memoVersion !== this.hosts.version) {
      this.memo = new Map();
      this.memoVersion = this.hosts.version;
    }
    let all = this.memo.get(slug);
    if (!all) {
      all = [this.pathIssuer(slug), ...this.hosts.hostsOf(slug).map((h) => this.hostIssuer(h))];
      if (this.memo.size > 10_000) this.memo.clear();
      this.memo.set(slug, all);
    }
    return all;
  }

  /** The slug of the tenant an issuer URL names (either form); undefined for anything else. Says nothing of a token's validity. */
  slugOfIssuer(iss: string): string | undefined {
    if (iss.startsWith(this.prefix)) {
      const slug = iss.slice(this.prefix.length);
      return SLUG_PATTERN.test(slug) ? slug : undefined;
    }
    let host: string;
    try {
      host = new URL(iss).hostname;
    } catch {
      return undefined;
    }
    return iss === this.hostIssuer(host) ? this.hosts.tenantOf(host) : undefined;
  }
}
