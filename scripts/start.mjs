// The first half of `npm start`: refuses a start that cannot work before anything is rebuilt (the
// server's own checks of its settings, port, and data directory or database: a second `npm start`
// must not rebuild dist/ under the running server), then builds the server and the console only
// when their sources changed since their last build. package.json then runs the built server.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// The checks are the server's (TypeScript, through tsx): the built copy may be the stale one.
register();
const { loadConfig } = await import('../packages/server/src/config.ts');
const { preflight, StartupError } = await import('../packages/server/src/startup-checks.ts');
const refuse = (err) => {
  process.stderr.write(`Latchkey cannot start: ${err.message}\n`);
  process.exit(1);
};
let config;
try {
  config = loadConfig();
} catch (err) {
  refuse(err);
}
try {
  await preflight(config);
} catch (err) {
  if (!(err instanceof StartupError)) throw err;
  refuse(err);
}

for (const script of ['packages/server/scripts/build.mjs', 'packages/console/scripts/build.mjs']) {
  const r = spawnSync(process.execPath, [path.join(root, script), '--if-stale'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
