import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Store } from '../../store/index.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { Tenant } from '../tenants/model.js';
import type { SigningKeyRecord } from './model.js';
import { SYSTEM, auditActor, type Actor } from '../audit/actor.js';
import type { Announcement } from '../changes.js';

export interface ActiveKey {
  kid: string;
  key: KeyObject;
  createdAt: number;
  /** base64url of the protected header, computed once per key. */
  header: string;
}

interface TenantKeys {
  active: ActiveKey;
  records: SigningKeyRecord[];
  jwks: { keys: Record<string, unknown>[] };
  loadedAt: number;
}

/** RFC 7638 thumbprint of an EC public key: the kid. */
function thumbprint(jwk: { crv: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Per-tenant ES256 signing keys. Private keys are stored sealed with the master key. A scheduled
 * rotation publishes the next key first and activates it later; rotation retires the active key but
 * keeps publishing it until the last token it signed has expired. Several processes may race to
 * rotate: the one whose conditional retire succeeds does it, the others reload.
 */
export class KeyService {
  private readonly cache = new Map<string, TenantKeys>();
  private readonly loading = new Map<string, Promise<TenantKeys>>();

  /**
   * How long a scheduled rotation publishes the next key before it signs: verifiers that cache the
   * JWKS (jose re-reads it every 10 minutes, and on an unknown kid at most every 30 s) know the key
   * before the first token it signs reaches them.
   */
  private readonly prepublishMs: number;

  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly rotationMs: number,
    private readonly reloadMs = 30_000,
  ) {
    this.prepublishMs = Math.min(24 * 3600_000, rotationMs / 4);
  }

  /** Another process (or this one) rotated or published a key: reload on next use. */
  onChange(change: Announcement): void {
    if (change.type === 'keys.rotated') this.cache.delete(change.tenantId);
    else if (change.type === 'changes.missed') this.cache.clear();
  }

  /** The tenant's keys when loaded less than `reloadMs` ago. */
  private fresh(tenantId: string): TenantKeys | undefined {
    const k = this.cache.get(tenantId);
    return k && Date.now() - k.loadedAt < this.reloadMs ? k : undefined;
  }

  /** Synchronous fast path for the token endpoint; undefined when the tenant's keys are not loaded yet. */
  peek(tenantId: string): ActiveKey | undefined {
    return this.fresh(tenantId)?.active;
  }

  async active(tenant: Tenant): Promise<ActiveKey> {
    return (this.fresh(tenant.id) ?? (await this.load(tenant))).active;
  }

  async jwks(tenant: Tenant): Promise<{ keys: Record<string, unknown>[] }> {
    return (this.fresh(tenant.id) ?? (await this.load(tenant))).jwks;
  }

  private readonly lastForcedReload = new Map<string, number>();

  /**
   * Reloads when a token names a kid this process has not seen (another process rotated). At most
   * once every 10 s per tenant, so forged kids cannot turn into a database storm.
   */
  async reload(tenant: Tenant): Promise<{ keys: Record<string, unknown>[] }> {
    const now = Date.now();
    if (now - (this.lastForcedReload.get(tenant.id) ?? 0) < 10_000) return this.jwks(tenant);
    this.lastForcedReload.set(tenant.id, now);
    this.cache.delete(tenant.id);
    return (await this.load(tenant)).jwks;
  }

  private load(tenant: Tenant): Promise<TenantKeys> {
    let p = this.loading.get(tenant.id);
    if (!p) {
      p = this.loadNow(tenant).finally(() => this.loading.delete(tenant.id));
      this.loading.set(tenant.id, p);
    }
    return p;
  }

  private async loadNow(tenant: Tenant): Promise<TenantKeys> {
    let now = Date.now();
    let keys = await this.store.signingKeys.live(tenant.id, now);
    const due = this.due(keys, now);
    if (due) {
      // The keys the decision was made on: if another process rotated since, the conditional retire
      // of the key seen here fails and this one stands back.
      if (due === 'rotate') await this.rotateNow(tenant, 'schedule', SYSTEM, keys);
      else await this.publishNext(tenant);
      now = Date.now();
      keys = await this.store.signingKeys.live(tenant.id, now);
    }
    const activeRec = keys.find((k) => k.status === 'active');
    if (!activeRec) throw new Error(`tenant ${tenant.slug} has no active signing key`);
    const entry: TenantKeys = { active: this.toActive(activeRec), records: keys, jwks: { keys: keys.map((k) => k.publicJwk) }, loadedAt: now };
    this.cache.set(tenant.id, entry);
    return entry;
  }

  /** What the schedule asks for now: a rotation, publishing the next key, or nothing. */
  private due(keys: SigningKeyRecord[], now: number): 'rotate' | 'publish' | null {
    const active = keys.find((k) => k.status === 'active');
    if (!active) return 'rotate';
    const age = now - (active.activatedAt ?? active.createdAt);
    if (age >= this.rotationMs) return 'rotate';
    if (age >= this.rotationMs - this.prepublishMs && !keys.some((k) => k.status === 'next')) return 'publish';
    return null;
  }

  private toActive(rec: SigningKeyRecord): ActiveKey {
    const jwk = JSON.parse(this.sealer.open(rec.privateKeyEnc, `signing-key:${rec.kid}`));
    const key = createPrivateKey({ key: jwk, format: 'jwk' });
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: rec.kid })).toString('base64url');
    return { kid: rec.kid, key, createdAt: rec.createdAt, header };
  }

  /**
   * Makes the next key sign now: the oldest published next key, or a new one when none is published
   * (the first key, an on-demand rotation before the schedule published one). The previous key stays
   * in the JWKS until every token it signed has expired, plus a minute of clock skew. Returns the
   * signing kid.
   */
  async rotate(tenant: Tenant, reason: 'schedule' | 'manual', actor: Actor = SYSTEM): Promise<string> {
    const kid = await this.rotateNow(tenant, reason, actor, await this.store.signingKeys.live(tenant.id, Date.now()));
    this.cache.delete(tenant.id);
    const loaded = await this.load(tenant);
    return kid ?? loaded.active.kid;
  }

  /** The tenant's published keys, newest first (public parts and dates only). */
  async list(tenant: Tenant): Promise<Omit<SigningKeyRecord, 'privateKeyEnc'>[]> {
    const keys = await this.store.signingKeys.live(tenant.id, Date.now());
    return keys.map(({ privateKeyEnc: _sealed, ...k }) => k);
  }

  /**
   * Retires the active key among `keys` and activates the next one, in one transaction; null when
   * the active key is no longer the one in `keys` (another process rotated first: it stands back).
   */
  private async rotateNow(tenant: Tenant, reason: string, actor: Actor, keys: SigningKeyRecord[]): Promise<string | null> {
    const now = Date.now();
    const active = keys.find((k) => k.status === 'active');
    const next = keys.filter((k) => k.status === 'next').sort((a, b) => a.createdAt - b.createdAt)[0];
    const keepUntil = now + (tenant.accessTokenTtlSeconds + 60) * 1000;
    return this.store.transaction(async (tx) => {
      if (!(await tx.signingKeys.retireActive(tenant.id, active?.kid ?? null, now, keepUntil))) return null;
      tx.changes.record({ type: 'keys.rotated', tenantId: tenant.id });
      let kid: string;
      if (next && (await tx.signingKeys.activateNext(tenant.id, next.kid, now))) {
        kid = next.kid;
      } else {
        const fresh = this.generate(tenant.id, 'active', now);
        await tx.signingKeys.insert(fresh);
        kid = fresh.kid;
      }
      await tx.audit.append({
        tenantId: tenant.id, ...auditActor(actor), action: 'signing_key.rotated',
        targetType: 'signing_key', targetId: kid, details: { reason, previous: active?.kid ?? null, prepublished: kid === next?.kid },
      });
      return kid;
    });
  }

  /** Publishes the key that the next scheduled rotation will activate. */
  private async publishNext(tenant: Tenant): Promise<void> {
    const key = this.generate(tenant.id, 'next', Date.now());
    await this.store.transaction(async (tx) => {
      await tx.signingKeys.insert(key);
      tx.changes.record({ type: 'keys.rotated', tenantId: tenant.id });
      await tx.audit.append({
        tenantId: tenant.id, actorType: 'system', actorId: null, action: 'signing_key.published',
        targetType: 'signing_key', targetId: key.kid, details: {},
      });
    });
  }

  private generate(tenantId: string, status: 'next' | 'active', now: number): SigningKeyRecord {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pub = publicKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string };
    const kid = thumbprint(pub);
    return {
      kid, tenantId, status, createdAt: now, activatedAt: status === 'active' ? now : null, retiredAt: null, expiresAt: null,
      privateKeyEnc: this.sealer.seal(JSON.stringify(privateKey.export({ format: 'jwk' })), `signing-key:${kid}`),
      publicJwk: { kty: 'EC', crv: pub.crv, x: pub.x, y: pub.y, kid, alg: 'ES256', use: 'sig' },
    };
  }

  /** Called periodically: publishes and rotates keys that are due, for tenants this process serves. */
  async rotateDue(getTenant: (id: string) => Promise<Tenant | undefined>): Promise<void> {
    const now = Date.now();
    for (const [tenantId, k] of this.cache) {
      if (!this.due(k.records, now)) continue;
      const tenant = await getTenant(tenantId);
      if (!tenant) continue;
      this.cache.delete(tenantId);
      await this.load(tenant);
    }
  }
}
