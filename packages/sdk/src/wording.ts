// How an error tells its reader to fix their setup. The SDK speaks of its own options; a tool built
// on it (the `latchkey` CLI) passes its own wording, so its messages name its flags and commands.
import type { CredentialFields } from './credentials/fields.js';

export interface Wording {
  /** What to do when no credentials are configured at all. */
  noCredentials: string;
  /** How the caller sets one credential field directly, if it can (besides the environment and the profile). */
  field(field: keyof CredentialFields): string | undefined;
  /** How the caller allows an existing file to be replaced. */
  overwrite: string;
}

export const SDK_WORDING: Wording = {
  noCredentials:
    'no credentials: pass `credentials`, set LATCHKEY_EMAIL + LATCHKEY_PASSWORD, ' +
    'LATCHKEY_CLIENT_ID + LATCHKEY_CLIENT_SECRET or LATCHKEY_TOKEN_FILE + LATCHKEY_CLIENT_SECRET, or use a profile (`latchkey login`)',
  field: (field) => `\`credentials.${field}\``,
  overwrite: 'pass overwrite: true',
};

/** "a", "a or b", "a, b or c". */
export function oneOf(choices: (string | undefined)[]): string {
  const c = choices.filter((x): x is string => !!x);
  return c.length <= 1 ? (c[0] ?? '') : `${c.slice(0, -1).join(', ')} or ${c[c.length - 1]}`;
}
