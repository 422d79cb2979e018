#!/usr/bin/env node
// The `latchkey` command. Runs the compiled CLI (dist/) when the package is built; in the repository
// without a build it loads the TypeScript sources through tsx. LATCHKEY_CLI_FROM_SOURCE=1 forces the
// sources (the tests use it so they never run a stale build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (!process.env.LATCHKEY_CLI_FROM_SOURCE && existsSync(fileURLToPath(dist))) {
  cli = await import(dist.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write('latchkey: the CLI is not built (run `npx tsc -b packages/sdk`) and tsx is not installed\n');
    process.exit(2);
  }
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
// Idle keep-alive sockets must not hold the shell for seconds after the work is done.
setTimeout(() => process.exit(code), 50).unref();
