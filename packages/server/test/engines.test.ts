import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

// The README promises Node.js 20 or later (the root `engines`); a locked package that needs a newer
// Node makes every install on Node 20 warn EBADENGINE, and may not work there at all.
test('every package the lockfile installs supports the oldest Node.js the README promises', () => {
  const promised = json('package.json').engines.node as string;
  assert.match(fs.readFileSync(path.join(root, 'README.md'), 'utf8'), /Node\.js 20 or later/);
  const oldest = semver.minVersion(promised)!.version;
  const lock = json('package-lock.json') as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };
  const refused = Object.entries(lock.packages)
    .filter(([, p]) => p.engines && !Array.isArray(p.engines) && typeof p.engines.node === 'string' && !semver.satisfies(oldest, p.engines.node))
    .map(([where, p]) => `${where}@${p.version} needs node ${(p.engines as { node: string }).node}`);
  assert.deepEqual(refused, [], `Node ${oldest} is promised`);
});
