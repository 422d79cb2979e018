import type { UnitOfWork } from '../ports.js';
import type { AuditKinds } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import type { FederationPolicy } from './model.js';
import { BatchedFlush } from '../../lib/batched-flush.js';

const MAX_SUBJECT = 256;
/** Distinct (policy, subject) pairs held before a flush is started early. */
const MAX_PENDING = 10_000;

interface Exchanges {
  policy: FederationPolicy;
  subject: string;
  count: number;
  firstAt: number;
  lastAt: number;
}

/**
 * Exchanges are audited the way client usage is recorded (clients/usage.ts): no store write per
 * token. Each exchange is counted in memory per policy and external subject; every few seconds
 * (and on close, the server's shutdown path) one transaction writes each policy's last use and one
 * audit event per (policy, subject) with how many exchanges it made and when, plus
 * `federation_policy.first_used` the first time a policy is used. A failed flush keeps its counts
 * for the next one.
 */
export class FederationUsage {
  private pending = new Map<string, Exchanges>();
  private readonly batches: BatchedFlush;

  constructor(
    private readonly store: UnitOfWork<'federationPolicies' | AuditKinds>,
    flushFailed: (err: unknown) => void = () => {},
    intervalMs = 5000,
  ) {
    this.batches = new BatchedFlush(() => this.flushNow(), flushFailed, intervalMs);
  }

  touch(policy: FederationPolicy, subject: string, at = Date.now()): void {
    const sub = subject.slice(0, MAX_SUBJECT);
    const key = `${policy.tenantId}\u0000${policy.id}\u0000${sub}`;
    const hit = this.pending.get(key);
    if (hit) {
      hit.count++;
      hit.lastAt = Math.max(hit.lastAt, at);
      hit.policy = policy;
    } else {
      this.pending.set(key, { policy, subject: sub, count: 1, firstAt: at, lastAt: at });
    }
    if (this.pending.size >= MAX_PENDING) void this.flush();
    else this.batches.schedule();
  }

  /** Writes what is pending; safe to call any time (tests, shutdown). */
  flush(): Promise<void> {
    return this.batches.flush();
  }

  private async flushNow(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.write([...batch.values()]);
    } catch (err) {
      // Kept for the next flush, merged with what came meanwhile.
      for (const [key, e] of batch) {
        const now = this.pending.get(key);
        if (!now) this.pending.set(key, e);
        else {
          now.count += e.count;
          now.firstAt = Math.min(now.firstAt, e.firstAt);
        }
      }
      throw err;
    }
  }

  private async write(batch: Exchanges[]): Promise<void> {
    const latest = new Map<string, { tenantId: string; at: number; subject: string }>();
    for (const e of batch) {
      const seen = latest.get(e.policy.id);
      if (!seen || seen.at < e.lastAt)
        latest.set(e.policy.id, { tenantId: e.policy.tenantId, at: e.lastAt, subject: e.subject });
    }
    await this.store.transaction(async (tx) => {
      const first = new Set(await tx.federationPolicies.recordUsage(latest));
      for (const e of batch) {
        const { policy } = e;
        const common = {
          tenantId: policy.tenantId,
          actorType: 'client' as const,
          actorId: policy.appClientId,
          targetType: 'federation_policy',
          targetId: policy.id,
        };
        if (first.delete(policy.id)) {
          await recordAudit(tx, {
            ...common,
            action: 'federation_policy.first_used',
            at: e.firstAt,
            details: { name: policy.name, issuer: policy.issuer, subject: e.subject },
          });
        }
        await recordAudit(tx, {
          ...common,
          action: 'federation_policy.exchanged',
          at: e.lastAt,
          details: {
            name: policy.name,
            issuer: policy.issuer,
            subject: e.subject,
            clientId: policy.appClientId,
            exchanges: e.count,
            from: new Date(e.firstAt).toISOString(),
            to: new Date(e.lastAt).toISOString(),
          },
        });
      }
    });
  }

  close(): Promise<void> {
    return this.batches.close();
  }
}
