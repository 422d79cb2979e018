// Refreshes one .tok file N times with the TypeScript SDK (the Node half of the cross-language race):
// prints each new access token's tail, checks the file is valid JSON after every step.
import fs from 'node:fs';
import { Latchkey } from '../../../sdk/src/index.js';

const [url, file, clientSecret, count] = process.argv.slice(2) as [string, string, string, string];
const lk = new Latchkey({ baseUrl: url, tenant: 'demo', env: {}, profile: false, credentials: { tokenFile: file, clientSecret } });
for (let i = 0; i < Number(count); i++) {
  const token = await lk.getAccessToken({ forceRefresh: true });
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { refresh_token?: unknown };
  if (typeof doc.refresh_token !== 'string') throw new Error(`step ${i}: the file has no refresh_token`);
  process.stdout.write(`${token.slice(-24)}\n`);
}
