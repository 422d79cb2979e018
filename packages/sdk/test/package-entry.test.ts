import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startSdkEnv, type SdkEnv } from './helpers/env.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let env: SdkEnv;
before(async () => {
  env = await startSdkEnv();
});
after(async () => {
  await env?.close();
});

/** A user's script: plain Node (no tsx), importing the workspace packages by name from the checkout. */
function userScript(code: string) {
  const { TSX_TSCONFIG_PATH: _t, NODE_OPTIONS: _n, ...clean } = process.env;
  return spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, env: clean, encoding: 'utf8' });
}

// `npm install` and `npm ci` run the root package's `prepare` script once the dependencies are in:
// the same lifecycle as here, from a checkout with no build output.
test(
  'after the install, a plain Node script imports @latchkey/sdk and @latchkey/resource-server/verifier',
  { timeout: 240_000 },
  async () => {
    for (const pkg of ['sdk', 'resource-server'])
      fs.rmSync(path.join(root, 'packages', pkg, 'dist'), { recursive: true, force: true });
    const prepare = spawnSync('npm', ['run', 'prepare'], { cwd: root, encoding: 'utf8' });
    assert.equal(prepare.status, 0, prepare.stdout + prepare.stderr);

    // The SDK README's snippet, with the credentials this server was started with.
    const sdk = userScript(`
    import { Latchkey } from '@latchkey/sdk';
    const lk = new Latchkey({ baseUrl: ${JSON.stringify(env.url)}, tenant: 'demo', env: {}, profile: false,
      credentials: { email: ${JSON.stringify(ADMIN_EMAIL)}, password: ${JSON.stringify(ADMIN_PASSWORD)} } });
    const token = await lk.getAccessToken();
    console.log(JSON.stringify({ email: (await lk.me()).email, token: token.split('.').length }));
  `);
    assert.equal(sdk.status, 0, sdk.stderr);
    assert.deepEqual(JSON.parse(sdk.stdout), { email: ADMIN_EMAIL, token: 3 });

    const verifier = userScript(`
    import { createVerifier } from '@latchkey/resource-server/verifier';
    const v = createVerifier({ latchkeyUrl: ${JSON.stringify(env.url)}, audience: 'urn:latchkey:sample-api' });
    const err = await v.verify('not a token', { tenant: 'demo' }).catch((e) => e);
    console.log(err.code);
  `);
    assert.equal(verifier.status, 0, verifier.stderr);
    assert.equal(verifier.stdout.trim(), 'ERR_TOKEN_MALFORMED');
  },
);
