// Forces one refresh of a stored login with the TypeScript SDK (the config file's profile, rotated in place).
import { Latchkey } from '../../../sdk/src/index.js';

const [configPath] = process.argv.slice(2) as [string];
const lk = new Latchkey({ env: { LATCHKEY_CONFIG: configPath } });
const token = await lk.getAccessToken({ forceRefresh: true });
process.stdout.write(`${lk.credentialKind} ${(await lk.me()).email} ${token.slice(-24)}\n`);
