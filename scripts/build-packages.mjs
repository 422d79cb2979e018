// Builds the workspace packages that scripts import by name, `@latchkey/sdk` and
// `@latchkey/resource-server/verifier` (their package entries are in dist/). Run by `npm install` and
// `npm ci` as the root `prepare` script, so both are usable right after the install.
// --force: a build-info file left by a type check or by an earlier build whose dist/ was deleted
// would otherwise make `tsc -b` believe everything is up to date and emit nothing.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without dev dependencies: nothing to build with, and nothing here is needed.
  console.warn('latchkey: typescript is not installed, so @latchkey/sdk and @latchkey/resource-server are not built');
  process.exit(0);
}
for (const args of [
  ['-b', '--force', 'packages/sdk'],
  ['-p', 'packages/resource-server/tsconfig.build.json'],
]) {
  const r = spawnSync(process.execPath, [tsc, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
