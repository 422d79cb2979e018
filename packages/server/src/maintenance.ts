import type { AppContext } from './context.js';
import { noteExpiredClients } from './domain/clients/expiry.js';

/**
 * Periodic housekeeping: key rotation when due; expired replay records, kept refresh answers past
 * their grace window, and keys swept; client expiry audited.
 */
export function startMaintenance(ctx: AppContext, intervalMs = 60_000): () => void {
  const run = async () => {
    const now = Date.now();
    try {
      await ctx.keys.rotateDue((id) => ctx.store.tenants.byId(id));
      await ctx.store.replay.sweep(now);
      await ctx.store.refreshTokens.forgetAnswers(now);
      await ctx.store.signingKeys.deleteExpired(now);
      await ctx.store.sessions.deleteExpired(now);
      await ctx.store.identityProviders.deleteExpiredStates(now);
      await ctx.throttle.store.sweep?.(now);
      await noteExpiredClients(ctx.store, now);
    } catch (err) {
      console.error('maintenance failed', err);
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
