// Runs the lint (ESLint and Prettier's check), the layering rules and the type check (whole runs
// only), then every test file of every package with Node's test runner (TypeScript through tsx), then
// the Python client's pytest suite.
// First it makes sure what the chosen tests need from Debian is there (scripts/test-prerequisites.mjs):
// installed if this user may, else one line says how, and nothing runs.
// The PostgreSQL back end is tested against a real server: each test app makes its own scratch
// database there. On CI (CI=true) PostgreSQL is mandatory; locally it is skipped only if unreachable.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrerequisites, PYTHON } from './test-prerequisites.mjs';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const only = process.argv.slice(2);
const files = [];
for (const pkg of fs.readdirSync(path.join(root, 'packages'))) {
  const dir = path.join(root, 'packages', pkg, 'test');
  if (!fs.existsSync(dir)) continue;
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    if (String(f).endsWith('.test.ts')) files.push(path.join(dir, String(f)));
  }
}
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
selected.sort();
const python = path.join('packages', 'python');
const runPython = !only.length || only.some((o) => python.includes(o) || o.includes(python));
const consoleTests = selected.some((f) => f.includes(path.join('packages', 'console', 'test')));
const ready = ensurePrerequisites({ browser: consoleTests, python: runPython });
if (ready !== 0) process.exit(ready);
// The console's tests drive its built files: build them first when the sources changed since.
if (consoleTests) {
  const build = spawnSync(process.execPath, [path.join(root, 'packages/console/scripts/build.mjs'), '--if-stale'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
// The whole suite starts with the static checks: the lint, the layering rules and the types (tsx,
// which runs the tests, does not check types). A failure stops the run before any test.
if (!only.length) {
  for (const script of ['lint', 'lint:layers', 'typecheck']) {
    console.log(`npm run ${script}`);
    const check = spawnSync('npm', ['run', '--silent', script], { stdio: 'inherit', cwd: root });
    if (check.status !== 0) {
      console.error(`npm test: npm run ${script} failed; no test was run`);
      process.exit(check.status ?? 1);
    }
  }
}
let status = 0;
if (selected.length || !only.length) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...selected],
    { stdio: 'inherit', cwd: root, env: { ...process.env, LATCHKEY_TEST: '1' } },
  );
  status = result.status ?? 1;
}
// The Python client's tests (pytest, Debian's python3): after the Node tests, with no filter or a
// filter naming them. Exit code 5 (no tests collected) is a failure: the tests exist.
if (runPython) {
  const py = spawnSync(PYTHON, ['-m', 'pytest', python, '-q', '-p', 'no:cacheprovider'], {
    stdio: 'inherit',
    cwd: root,
  });
  if (py.status !== 0) status = status || (py.status ?? 1);
}
process.exit(status);
