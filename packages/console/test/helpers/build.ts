import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const consoleDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds the console unless scripts/test.mjs already did (it rebuilds a stale one before the tests). */
export function ensureConsoleBuilt(): void {
  if (fs.existsSync(path.join(consoleDir, 'dist/index.html'))) return;
  execFileSync(process.execPath, [path.join(consoleDir, 'scripts/build.mjs')], { stdio: 'inherit' });
}
