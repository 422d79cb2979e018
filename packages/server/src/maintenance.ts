import type { AppContext } from './context.js';

/** Periodic housekeeping: key rotation when due, expired replay records and keys swept. */
export function startMaintenance(ctx: AppContext, intervalMs = 60_000): () => void {
  const run = async () => {
    const now = Date.now();
    try {
      await ctx.keys.rotateDue((id) => ctx.store.tenants.byId(id));
      await ctx.store.replay.sweep(now);
      await ctx.store.signingKeys.deleteExpired(now);
    } catch (err) {
      console.error('maintenance failed', err);
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
