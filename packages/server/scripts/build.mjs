// Builds the server into dist/ with `tsc -b` (incremental: only what changed is checked and emitted).
// `--if-stale` does nothing when the last build started after every source last changed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['src', 'tsconfig.json', 'package.json', '../../tsconfig.base.json'].map((p) => path.join(dir, p));
const ENTRY = path.join(dir, 'dist/main.js');
// Its modification time is when the last successful build started.
const STAMP = path.join(dir, 'dist/.built');

function newestSource() {
  let newest = 0;
  const visit = (p) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const f of fs.readdirSync(p)) visit(path.join(p, f));
    else newest = Math.max(newest, st.mtimeMs);
  };
  SOURCES.forEach(visit);
  return newest;
}

export function serverIsStale() {
  return !fs.existsSync(ENTRY) || !fs.existsSync(STAMP) || fs.statSync(STAMP).mtimeMs < newestSource();
}

export function buildServer() {
  const started = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // Without dist/main.js, a build-info file left by a type check could make tsc think nothing is
  // left to emit: build everything then.
  const args = ['-b', ...(fs.existsSync(ENTRY) ? [] : ['--force']), dir];
  const r = spawnSync(process.execPath, [tsc, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  fs.writeFileSync(STAMP, '');
  // A source saved during the build is newer than this, so the next start builds again.
  fs.utimesSync(STAMP, started, started);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--if-stale') && !serverIsStale()) console.log('server: dist/ is up to date');
  else buildServer();
}
