import type { Services } from './services.js';
import { StoreUnavailable } from './store/index.js';
import { noteExpiredClients } from './domain/clients/expiry.js';
import { warnExpiringClients } from './domain/clients/expiry-warnings.js';
import { sweepAudit } from './domain/audit/retention.js';
import { endSecretOverlaps } from './domain/clients/secret-rotation.js';

/**
 * Periodic housekeeping: key rotation when due; expired replay records (and leaked-secret report digests), kept refresh answers past
 * their grace window, and keys swept; rotated client secrets whose overlap is over forgotten (with what they obtained); audit events past their tenant's retention deleted; client
 * expiry warnings and expiry audited (on the clock, which tests may move).
 */
export function startMaintenance(ctx: Services, intervalMs = ctx.config.maintenanceIntervalMs): () => Promise<void> {
  let running = false;
  let round: Promise<void> = Promise.resolve();
  const run = async () => {
    running = true;
    const now = Date.now();
    try {
      await ctx.keys.rotateDue((id) => ctx.store.tenants.byId(id));
      await ctx.store.replay.sweep(now);
      await ctx.store.refreshTokens.forgetAnswers(now);
      await endSecretOverlaps(ctx.store, now);
      await ctx.store.signingKeys.deleteExpired(now);
      await ctx.store.sessions.deleteExpired(now);
      await ctx.store.secretReports.sweep(now);
      await ctx.store.identityProviders.deleteExpiredStates(now);
      await ctx.throttle.store.sweep?.(now);
      await sweepAudit(ctx.store, now);
      await warnExpiringClients(ctx.store, ctx.clock.now());
      await noteExpiredClients(ctx.store, ctx.clock.now());
    } catch (err) {
      // An outage is told once by the store; the next round tries again.
      if (!(err instanceof StoreUnavailable)) console.error('maintenance failed', err);
    } finally {
      running = false;
    }
  };
  // A slow round is not overlapped by the next one.
  const timer = setInterval(() => {
    if (!running) round = run();
  }, intervalMs);
  timer.unref();
  // Stopping waits for a round in flight, so nothing is swept after the caller stopped it.
  return async () => {
    clearInterval(timer);
    await round;
  };
}
