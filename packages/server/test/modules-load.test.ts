import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const server = path.resolve(here, '..');
const root = path.resolve(server, '../..');
// Inside the repository, so the compiled modules resolve their packages from node_modules.
const out = path.join(root, 'node_modules', '.cache', 'latchkey-module-load');
// The entry point starts a server when imported: it is the one module that does something on load.
const ENTRY_POINTS = new Set(['main.js']);

/**
 * Every module of the server loads on its own, in a fresh process, whatever it imports first: an
 * import circle that works only in the order app.ts happens to import things fails here. Compiled
 * once with tsc (which also checks the types), then each module is imported by plain Node.
 */
test('every server module loads on its own in a fresh process', async () => {
  fs.rmSync(out, { recursive: true, force: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(
    process.execPath,
    [
      tsc,
      '-p',
      server,
      '--outDir',
      out,
      '--composite',
      'false',
      '--declaration',
      'false',
      '--incremental',
      'false',
      '--sourceMap',
      'false',
    ],
    { cwd: root },
  );
  const modules = fs
    .readdirSync(out, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.js') && !ENTRY_POINTS.has(f))
    .sort();
  assert.ok(modules.length > 150, `found ${modules.length} compiled modules`);
  const failures: string[] = [];
  const queue = [...modules];
  const worker = async () => {
    for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
      const url = new URL(`file://${path.join(out, m)}`).href;
      try {
        await run(
          process.execPath,
          ['--input-type=module', '-e', `await import(${JSON.stringify(url)}); process.exit(0);`],
          { cwd: root, timeout: 30_000 },
        );
      } catch (err) {
        const stderr = String((err as { stderr?: string }).stderr ?? err);
        failures.push(`${m}: ${stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr.split('\n')[0]}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, os.availableParallelism()) }, worker));
  assert.deepEqual(failures, [], failures.join('\n'));
  fs.rmSync(out, { recursive: true, force: true });
});
