import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Store } from '../../store/index.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { Tenant } from '../tenants/model.js';
import type { SigningKeyRecord } from './model.js';

export interface ActiveKey {
  kid: string;
  key: KeyObject;
  createdAt: number;
  /** base64url of the protected header, computed once per key. */
  header: string;
}

interface TenantKeys {
  active: ActiveKey;
  jwks: { keys: Record<string, unknown>[] };
  loadedAt: number;
}

/** RFC 7638 thumbprint of an EC public key: the kid. */
function thumbprint(jwk: { crv: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Per-tenant ES256 signing keys. Private keys are stored sealed with the master key. Rotation retires
 * the active key but keeps publishing it until the last token it signed has expired.
 */
export class KeyService {
  private readonly cache = new Map<string, TenantKeys>();
  private readonly loading = new Map<string, Promise<TenantKeys>>();

  constructor(
    private readonly store: Store,
    private readonly sealer: Sealer,
    private readonly rotationMs: number,
    private readonly reloadMs = 30_000,
  ) {}

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
    const now = Date.now();
    let keys = await this.store.signingKeys.live(tenant.id, now);
    let activeRec = keys.find((k) => k.status === 'active');
    if (!activeRec || now - activeRec.createdAt >= this.rotationMs) {
      await this.rotateNow(tenant, 'schedule');
      keys = await this.store.signingKeys.live(tenant.id, now);
      activeRec = keys.find((k) => k.status === 'active')!;
    }
    const active = this.toActive(activeRec);
    const entry: TenantKeys = { active, jwks: { keys: keys.map((k) => k.publicJwk) }, loadedAt: now };
    this.cache.set(tenant.id, entry);
    return entry;
  }

  private toActive(rec: SigningKeyRecord): ActiveKey {
    const jwk = JSON.parse(this.sealer.open(rec.privateKeyEnc, `signing-key:${rec.kid}`));
    const key = createPrivateKey({ key: jwk, format: 'jwk' });
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: rec.kid })).toString('base64url');
    return { kid: rec.kid, key, createdAt: rec.createdAt, header };
  }

  /**
   * Retires the active key (kept in the JWKS until every token it signed has expired, plus a
   * minute of clock skew) and creates a new one, in one transaction.
   */
  async rotate(tenant: Tenant, reason: 'schedule' | 'manual', actorId: string | null = null): Promise<string> {
    const kid = await this.rotateNow(tenant, reason, actorId);
    this.cache.delete(tenant.id);
    await this.load(tenant);
    return kid;
  }

  private async rotateNow(tenant: Tenant, reason: string, actorId: string | null = null): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pub = publicKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string };
    const kid = thumbprint(pub);
    const priv = privateKey.export({ format: 'jwk' });
    const now = Date.now();
    const keepUntil = now + (tenant.accessTokenTtlSeconds + 60) * 1000;
    await this.store.transaction(async (tx) => {
      await tx.signingKeys.retireActive(tenant.id, now, keepUntil);
      await tx.signingKeys.insert({
        kid, tenantId: tenant.id, privateKeyEnc: this.sealer.seal(JSON.stringify(priv), `signing-key:${kid}`),
        publicJwk: { kty: 'EC', crv: pub.crv, x: pub.x, y: pub.y, kid, alg: 'ES256', use: 'sig' },
        status: 'active', createdAt: now, retiredAt: null, expiresAt: null,
      });
      await tx.audit.append({
        tenantId: tenant.id, actorType: actorId ? 'user' : 'system', actorId, action: 'signing_key.rotated',
        targetType: 'signing_key', targetId: kid, details: { reason },
      });
    });
    return kid;
  }

  /** Called periodically: rotates keys that are due, for tenants this process serves. */
  async rotateDue(getTenant: (id: string) => Promise<Tenant | undefined>): Promise<void> {
    const now = Date.now();
    for (const [tenantId, k] of this.cache) {
      if (now - k.active.createdAt < this.rotationMs) continue;
      const tenant = await getTenant(tenantId);
      if (tenant) await this.rotate(tenant, 'schedule');
    }
  }
}
