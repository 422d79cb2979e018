// Builds the console: API types from the server's route schemas, then the Vite bundle in dist/.
// `--if-stale` does nothing when dist/ is newer than every source it comes from. The server's
// sources are not among them: the API types are imported as types only, so they never change the
// bundle (`npm run typecheck` regenerates them), and a change to the server alone rebuilds the server alone.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATED = path.join(dir, 'src/api/schema.d.ts');
const SOURCES = ['src', 'scripts', 'index.html', 'vite.config.ts', 'package.json'].map((p) => path.join(dir, p));

function newestSource() {
  let newest = 0;
  const visit = (p) => {
    if (p === GENERATED || !fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) visit(path.join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  SOURCES.forEach(visit);
  return newest;
}

export function consoleIsStale() {
  const built = path.join(dir, 'dist/index.html');
  return !fs.existsSync(built) || fs.statSync(built).mtimeMs < newestSource();
}

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

export function buildConsole() {
  run(['--import', 'tsx', 'scripts/gen-api.ts']);
  const vite = path.join(
    path.dirname(createRequire(path.join(dir, 'package.json')).resolve('vite/package.json')),
    'bin/vite.js',
  );
  run([vite, 'build']);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && !consoleIsStale()) console.log('console: dist/ is up to date');
  else buildConsole();
}
