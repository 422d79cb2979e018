// The shared fixture of error answers: which code the SDK reads and whether one refresh may mend the
// answer. The Python client's tests run the very same file (packages/python/tests/test_shared_fixtures.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiError, errorCode, refreshMayMend } from '../src/lib/http.js';
import { SecretSet } from '../src/lib/redact.js';

interface Fixture {
  cases: { name: string; status: number; body: unknown; expect: { code: string | null; refresh: boolean } }[];
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/error-cases.json'), 'utf8'),
) as Fixture;

for (const c of fixture.cases) {
  test(`error case: ${c.name}`, () => {
    assert.equal(errorCode(c.body) ?? null, c.expect.code);
    assert.equal(refreshMayMend(c.status, c.body), c.expect.refresh);
    const res = new Response(null, { status: c.status });
    const err = apiError(
      { fetch, timeoutMs: 1, userAgent: 'test', secrets: new SecretSet() },
      'GET',
      'http://127.0.0.1/x',
      res,
      c.body,
    );
    assert.equal(err.problemCode ?? null, c.expect.code);
    assert.equal(err.status, c.status);
  });
}
