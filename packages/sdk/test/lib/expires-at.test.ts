// The shared cases of what an expiry means (fixtures/expires-at-cases.json), read by the SDK and the
// CLI's --expires; the server, the console and the Python client check the very same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { parseExpiresAt } from '../../src/lib/expires-at.js';

const { cases } = JSON.parse(
  fs.readFileSync(new URL('../fixtures/expires-at-cases.json', import.meta.url), 'utf8'),
) as {
  cases: { input: string; expiresAt: string | null }[];
};

for (const c of cases) {
  test(`--expires "${c.input}" → ${c.expiresAt ?? 'refused'}`, () => {
    const ms = parseExpiresAt(c.input);
    assert.equal(Number.isNaN(ms) ? null : new Date(ms).toISOString(), c.expiresAt);
  });
}
