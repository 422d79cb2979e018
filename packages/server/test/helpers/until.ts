/**
 * Polls `check` until it gives a truthy value and returns it; fails naming `what` after `timeoutMs`.
 * For "eventually" only: that something did *not* happen is shown by a later
 * event that proves the system moved past the point (a second delivery, a marker), never by a pause.
 */
export async function until<T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
