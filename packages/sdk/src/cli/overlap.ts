import { LatchkeyConfigError } from '../errors.js';
import { parseOverlap } from '../lib/overlap.js';

export const OVERLAP_HELP =
  'how long the old secret keeps working: 0 (stops at once), or up to 24h as seconds or with a unit (90s, 30m, 1h, 24h)';

/** `--overlap` in seconds; a usage error (exit 2) names the flag and the accepted forms. */
export function overlapOption(value: string): number {
  const seconds = parseOverlap(value);
  if (Number.isNaN(seconds))
    throw new LatchkeyConfigError(
      `--overlap must be 0 or a duration of at most 24h (seconds, or with a unit: 90s, 30m, 1h, 24h), got "${value}"`,
    );
  return seconds;
}

/** What happens to the old secret, in one line. */
export function overlapNote(previousSecretExpiresAt: string | null): string {
  return previousSecretExpiresAt === null
    ? 'The old secret stopped working now, and so did the tokens it obtained.'
    : `The old secret keeps working until ${previousSecretExpiresAt}; then it stops, and so do the tokens it obtained.`;
}
