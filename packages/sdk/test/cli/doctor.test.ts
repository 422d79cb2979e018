import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { randomSecret } from '../../../server/src/crypto/secrets.js';

/** Runs the CLI in-process with captured output and `stdin` as standard input. */
async function run(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env: {},
    readStdin: async () => stdin,
  };
  const code = await main(args, io);
  return { code, out, err };
}

test('latchkey doctor tells a real secret from a look-alike offline, never printing it back', async () => {
  const secret = randomSecret('lk_cs_');
  const rt = randomSecret('lk_rt_');
  const good = await run(['doctor', secret]);
  assert.equal(good.code, 0, good.err);
  assert.match(good.out, /well-formed Latchkey client secret; checksum valid/);
  assert.ok(!good.out.includes(secret.slice(6, 40)), 'the secret is not printed back');
  assert.ok(good.out.includes(secret.slice(-4)), 'its last characters identify it');

  const fromStdin = await run(['doctor', '--json'], rt + '\n');
  assert.equal(fromStdin.code, 0);
  const json = JSON.parse(fromStdin.out);
  assert.deepEqual(
    { ...json, value: undefined },
    { value: undefined, wellFormed: true, kind: 'refresh_token', format: 'checksummed', checksumValid: true },
  );
  assert.ok(!fromStdin.out.includes(rt.slice(6, 40)));

  const typo = secret.slice(0, 20) + (secret[20] === 'x' ? 'y' : 'x') + secret.slice(21);
  const bad = await run(['doctor', typo]);
  assert.equal(bad.code, 1);
  assert.match(bad.out, /checksum does not hold/);

  const legacy = await run(['doctor', secret.slice(0, 49)]);
  assert.equal(legacy.code, 0);
  assert.match(legacy.out, /issued before checksums/);

  const other = await run(['doctor', 'ghp_' + 'a'.repeat(36)]);
  assert.equal(other.code, 1);
  assert.match(other.out, /not a Latchkey secret/);
});
