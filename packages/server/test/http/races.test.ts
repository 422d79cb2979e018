import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, createTestServer } from '../helpers/harness.js';
import { passwordGrant } from '../helpers/oauth.js';

for (const backend of await backends()) {
  test(`concurrent duplicates get 409, never 500 (${backend})`, async (t) => {
    const s = await createTestServer(backend);
    t.after(() => s.close());
    const headers = { authorization: `Bearer ${(await passwordGrant(s)).json().access_token}` };
    const post = (url: string, payload: object) =>
      s.app.inject({ method: 'POST', url: `/t/demo/api/v1${url}`, headers, payload });
    for (const [url, payload] of [
      ['/roles', { name: 'auditor', scopes: ['metering'] }],
      ['/users', { email: 'twin@demo.test', displayName: 'Twin' }],
    ] as const) {
      const results = await Promise.all([post(url, payload), post(url, payload), post(url, payload)]);
      const statuses = results.map((r) => r.statusCode).sort();
      assert.deepEqual(statuses, [201, 409, 409], results.map((r) => r.body).join('\n'));
      for (const r of results.filter((x) => x.statusCode === 409)) assert.equal(r.json().status, 409);
    }
  });
}
