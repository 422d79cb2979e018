import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { UnitOfWork } from '../ports.js';
import type { Sealer } from '../../crypto/master-key.js';
import type { Tenant } from '../tenants/model.js';
import type { SigningKeyRecord } from './model.js';
import { SYSTEM, auditActor, type Actor } from '../audit/actor.js';
import type { Announcement } from '../changes.js';
import { recordAudit, type AuditKinds } from '../audit/record.js';

export interface ActiveKey {
  kid: string;
  key: KeyObject;
  createdAt: number;
  /** base64url of the protected header, computed once per key. */
  header: string;
}

/**
 * schedule and manual: the previous key stays published until its tokens have expired.
 * compromised (after a suspected leak): every key of the tenant stops verifying at once and a
 * freshly generated one signs; tokens signed before are refused.
 */
export type RotationReason = 'schedule' | 'manual' | 'compromised';

/** What verifying a token needs: the published keys, and how long a token each may have signed lives. */
export interface PublishedKeys {
  jwks: { keys: Record<string, unknown>[] };
  /** kid → the longest access-token lifetime in force while it signed, in seconds. */
  maxTokenTtl: ReadonlyMap<string, number>;
}

interface TenantKeys extends PublishedKeys {
  active: ActiveKey;
  records: SigningKeyRecord[];
  loadedAt: number;
}

/** A retired key stays published this long past its last token's expiry (clock skew, slow caches). */
const RETIRED_GRACE_MS = 60_000;

/** RFC 7638 thumbprint of an EC public key: the kid. */
function thumbprint(jwk: { crv: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Per-tenant ES256 signing keys. Private keys are stored sealed with the master key. A scheduled
 * rotation publishes the next key first and activates it later; rotation retires the active key but
 * keeps publishing it until the last token it signed has expired: each key records the longest
 * token lifetime in force while it signed. Several processes may race to rotate: the one whose
 * conditional retire succeeds does it, the others reload.
 */
export class KeyService {
  private readonly cache = new Map<string, TenantKeys>();
  private readonly loading = new Map<string, Promise<TenantKeys>>();
  /**
   * Bumped whenever cached keys are dropped (a rotation here or announced): a load that started
   * before may have read the keys the rotation replaced, so it is not kept, and callers after the
   * change do not join it.
   */
  private generation = 0;

  /**
   * How long a scheduled rotation publishes the next key before it signs: verifiers that cache the
   * JWKS (jose re-reads it every 10 minutes, and on an unknown kid at most every 30 s) know the key
   * before the first token it signs reaches them.
   */
  private readonly prepublishMs: number;

  constructor(
    private readonly store: UnitOfWork<'signingKeys' | 'changes' | AuditKinds>,
    private readonly sealer: Sealer,
    private readonly rotationMs: number,
    private readonly reloadMs = 30_000,
  ) {
    this.prepublishMs = Math.min(24 * 3600_000, rotationMs / 4);
  }

  /** Another process (or this one) rotated or published a key: reload on next use. */
  onChange(change: Announcement): void {
    if (change.type === 'keys.rotated') this.forget(change.tenantId);
    else if (change.type === 'changes.missed') {
      this.generation++;
      this.cache.clear();
      this.loading.clear();
    }
  }

  private forget(tenantId: string): void {
    this.generation++;
    this.cache.delete(tenantId);
    this.loading.delete(tenantId);
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
    return (await this.published(tenant)).jwks;
  }

  /** The keys a token may be verified with; a new object whenever they were reloaded. */
  async published(tenant: Tenant): Promise<PublishedKeys> {
    return this.fresh(tenant.id) ?? (await this.load(tenant));
  }

  private readonly lastForcedReload = new Map<string, number>();

  /**
   * Reloads when a token names a kid this process has not seen, or claims a longer lifetime than
   * its key is known to have signed (another process rotated, or raised the lifetime). At most once
   * every 10 s per tenant, so forged tokens cannot turn into a database storm.
   */
  async reload(tenant: Tenant): Promise<PublishedKeys> {
    const now = Date.now();
    if (now - (this.lastForcedReload.get(tenant.id) ?? 0) < 10_000) return this.published(tenant);
    this.lastForcedReload.set(tenant.id, now);
    this.forget(tenant.id);
    return this.load(tenant);
  }

  private load(tenant: Tenant): Promise<TenantKeys> {
    let p = this.loading.get(tenant.id);
    if (!p) {
      const started = this.generation;
      const loaded: Promise<TenantKeys> = this.loadNow(tenant)
        .then((entry) => {
          if (started === this.generation) this.cache.set(tenant.id, entry);
          return entry;
        })
        .finally(() => {
          if (this.loading.get(tenant.id) === loaded) this.loading.delete(tenant.id);
        });
      p = loaded;
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
    const entry: TenantKeys = {
      active: this.toActive(activeRec),
      records: keys,
      jwks: { keys: keys.map((k) => k.publicJwk) },
      maxTokenTtl: new Map(keys.map((k) => [k.kid, k.maxTokenTtlSeconds])),
      loadedAt: now,
    };
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
   * in the JWKS until every token it signed has expired, plus a minute of clock skew; after a
   * suspected leak (`compromised`) every key leaves it at once instead. Returns the signing kid.
   * Other processes follow when they reload their keys (within `reloadMs`).
   */
  async rotate(tenant: Tenant, reason: RotationReason, actor: Actor = SYSTEM): Promise<string> {
    const kid = await this.rotateNow(tenant, reason, actor, await this.store.signingKeys.live(tenant.id, Date.now()));
    this.forget(tenant.id);
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
  private async rotateNow(
    tenant: Tenant,
    reason: RotationReason,
    actor: Actor,
    keys: SigningKeyRecord[],
  ): Promise<string | null> {
    const now = Date.now();
    const active = keys.find((k) => k.status === 'active');
    // After a suspected leak no stored key is trusted: they all lie sealed in the same store. Such a
    // rotation never stands back for a concurrent one, it unpublishes whatever that one activated.
    const compromised = reason === 'compromised';
    const next = compromised
      ? undefined
      : keys.filter((k) => k.status === 'next').sort((a, b) => a.createdAt - b.createdAt)[0];
    return this.store.transaction(async (tx) => {
      let withdrawn: string[] | undefined;
      if (compromised) {
        withdrawn = (await tx.signingKeys.unpublishAll(tenant.id, now)).filter((kid) => kid !== active?.kid);
      } else if (!(await tx.signingKeys.retireActive(tenant.id, active?.kid ?? null, now, RETIRED_GRACE_MS))) {
        return null;
      }
      tx.changes.record({ type: 'keys.rotated', tenantId: tenant.id });
      let kid: string;
      if (next && (await tx.signingKeys.activateNext(tenant.id, next.kid, now, tenant.accessTokenTtlSeconds))) {
        kid = next.kid;
      } else {
        const fresh = this.generate(tenant, 'active', now);
        await tx.signingKeys.insert(fresh);
        kid = fresh.kid;
      }
      await recordAudit(tx, {
        tenantId: tenant.id,
        ...auditActor(actor),
        action: 'signing_key.rotated',
        targetType: 'signing_key',
        targetId: kid,
        details: {
          reason,
          previous: active?.kid ?? null,
          prepublished: kid === next?.kid,
          ...(withdrawn ? { withdrawn } : {}),
        },
      });
      return kid;
    });
  }

  /** Publishes the key that the next scheduled rotation will activate. */
  private async publishNext(tenant: Tenant): Promise<void> {
    const key = this.generate(tenant, 'next', Date.now());
    await this.store.transaction(async (tx) => {
      await tx.signingKeys.insert(key);
      tx.changes.record({ type: 'keys.rotated', tenantId: tenant.id });
      await recordAudit(tx, {
        tenantId: tenant.id,
        actorType: 'system',
        actorId: null,
        action: 'signing_key.published',
        targetType: 'signing_key',
        targetId: key.kid,
        details: {},
      });
    });
  }

  private generate(tenant: Tenant, status: 'next' | 'active', now: number): SigningKeyRecord {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pub = publicKey.export({ format: 'jwk' }) as { crv: string; x: string; y: string };
    const kid = thumbprint(pub);
    return {
      kid,
      tenantId: tenant.id,
      status,
      createdAt: now,
      activatedAt: status === 'active' ? now : null,
      retiredAt: null,
      expiresAt: null,
      maxTokenTtlSeconds: tenant.accessTokenTtlSeconds,
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
      this.forget(tenantId);
      await this.load(tenant);
    }
  }
}
