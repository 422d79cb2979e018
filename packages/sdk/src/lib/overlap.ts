/** The longest a replaced secret may keep working after a rotation: 24 hours (the server's limit). */
export const MAX_OVERLAP_SECONDS = 86_400;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/**
 * A rotation's overlap as people type it: `0`, whole seconds (`3600`), or a number with a unit
 * (`90s`, `30m`, `1h`, `24h`); at most 24 hours. Whole seconds; NaN for anything else.
 */
export function parseOverlap(value: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(value.trim().toLowerCase());
  if (!m) return NaN;
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2] ?? 's'];
  return seconds <= MAX_OVERLAP_SECONDS ? seconds : NaN;
}
