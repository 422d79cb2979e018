import type { UnitOfWork } from '../ports.js';
import type { Announcement } from '../changes.js';
import { SLUG_PATTERN } from './service.js';

interface Snapshot {
  /** Assigned host → tenant slug. */
  byHost: Map<string, string>;
  /** Tenant slug → its assigned hosts, sorted. */
  bySlug: Map<string, string[]>;
  /** Every tenant's slug (the suffix maps only to tenants that exist). */
  slugs: Set<string>;
}

const EMPTY: Snapshot = { byHost: new Map(), bySlug: new Map(), slugs: new Set() };

/**
 * Which tenant a host name serves, answered from memory: requests are routed by it before any
 * route runs (synchronously). The whole map is read at start and again whenever a tenant changes,
 * here or in another process (announced changes), so a host moved to another tenant takes effect
 * everywhere within the notification delay. Until a reload completes the previous map answers.
 */
export class HostDirectory {
  private snapshot: Snapshot = EMPTY;
  private generation = 0;
  private dirty = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<UnitOfWork<'tenants' | 'tenantHosts'>, 'tenants' | 'tenantHosts'>,
    /** LATCHKEY_TENANT_HOST_SUFFIX: `{slug}{suffix}` serves the tenant `slug`. */
    private readonly suffix?: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Reads the map; resolves once a read that started after this call has completed. */
  load(): Promise<void> {
    this.dirty = true;
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        const [hosts, tenants] = await Promise.all([this.store.tenantHosts.all(), this.store.tenants.list()]);
        const next: Snapshot = { byHost: new Map(), bySlug: new Map(), slugs: new Set(tenants.map((t) => t.slug)) };
        for (const h of hosts) {
          next.byHost.set(h.host, h.slug);
          next.bySlug.set(h.slug, [...(next.bySlug.get(h.slug) ?? []), h.host]);
        }
        this.snapshot = next;
        this.generation++;
      } catch (err) {
        // The database may be down: keep routing by the last map and try again shortly.
        this.onError(err);
        setTimeout(() => void this.load(), 1000).unref();
        return;
      }
    }
  }

  onChange(change: Announcement): void {
    if (change.type === 'tenant.changed' || change.type === 'changes.missed') void this.load();
  }

  /** Bumped by every completed read (memos of what the map implies compare it). */
  get version(): number {
    return this.generation;
  }

  /** The slug of the tenant `host` serves (lowercase, no port), or undefined when it serves none. */
  tenantOf(host: string): string | undefined {
    const assigned = this.snapshot.byHost.get(host);
    if (assigned !== undefined) return assigned;
    if (!this.suffix || !host.endsWith(this.suffix)) return undefined;
    const slug = host.slice(0, -this.suffix.length);
    return SLUG_PATTERN.test(slug) && this.snapshot.slugs.has(slug) ? slug : undefined;
  }

  /** The hosts that serve the tenant: its assigned ones, then its suffix host. */
  hostsOf(slug: string): string[] {
    const assigned = this.snapshot.bySlug.get(slug) ?? [];
    return this.suffix ? [...assigned, slug + this.suffix] : assigned;
  }
}
