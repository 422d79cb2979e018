import type { Wording } from '../wording.js';

// The CLI's own names for what the SDK calls options: its flags and commands.
const FLAGS: Record<string, string> = { clientId: '--client-id', tokenFile: '--token-file' };

export const CLI_WORDING: Wording = {
  noCredentials:
    'no credentials: set LATCHKEY_EMAIL + LATCHKEY_PASSWORD, LATCHKEY_CLIENT_ID + LATCHKEY_CLIENT_SECRET, ' +
    'or --token-file (or LATCHKEY_TOKEN_FILE) + LATCHKEY_CLIENT_SECRET; or run `latchkey login`',
  field: (field) => FLAGS[field],
  overwrite: 'pass --force',
};
