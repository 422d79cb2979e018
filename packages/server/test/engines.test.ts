import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

// The README promises a Node.js version or later (the root `engines`); a locked package that needs a
// newer Node makes every install on the promised one warn EBADENGINE, and may not work there at all.
test('every package the lockfile installs supports the oldest Node.js the README promises', () => {
  const promised = json('package.json').engines.node as string;
  const oldest = semver.minVersion(promised)!.version;
  const readme = /Node\.js (\d+(?:\.\d+)*) or later/.exec(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
  assert.ok(readme, 'the README names the oldest Node.js it supports');
  assert.equal(
    semver.minVersion(readme[1])!.version,
    oldest,
    'the README and the root engines promise the same Node.js',
  );
  const lock = json('package-lock.json') as {
    packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
  };
  const refused = Object.entries(lock.packages)
    .filter(
      ([, p]) =>
        p.engines &&
        !Array.isArray(p.engines) &&
        typeof p.engines.node === 'string' &&
        !semver.satisfies(oldest, p.engines.node),
    )
    .map(([where, p]) => `${where}@${p.version} needs node ${(p.engines as { node: string }).node}`);
  assert.deepEqual(refused, [], `Node ${oldest} is promised`);
});
