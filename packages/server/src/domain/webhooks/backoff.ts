/**
 * When a failed attempt is tried again: exponential, then capped, for a day after the first
 * attempt (Standard Webhooks suggests a similar schedule). After that the message is failed.
 */
export const RETRY_DELAYS_MS = [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800].map((s) => s * 1000);
export const RETRY_FOR_MS = 24 * 3600 * 1000;
/** One attempt may take this long before it counts as failed. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** The next attempt after `attempts` failed ones, or null once the day is over. */
export function nextAttemptAt(firstAttemptAt: number, attempts: number, now: number): number | null {
  const delay = RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)];
  const next = now + delay;
  return next > firstAttemptAt + RETRY_FOR_MS ? null : next;
}
