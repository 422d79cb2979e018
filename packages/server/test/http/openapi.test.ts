import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestServer } from '../helpers/harness.js';
import { PROBLEM_CODES } from '../../src/http/problem.js';

test('the OpenAPI document describes the management API from the route schemas', async () => {
  const s = await createTestServer('sqlite');
  try {
    const res = await s.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    const paths = doc.paths as Record<
      string,
      Record<
        string,
        {
          tags?: string[];
          summary?: string;
          requestBody?: unknown;
          parameters?: Array<{ name: string }>;
          responses: Record<string, unknown>;
        }
      >
    >;
    for (const [path, methods] of Object.entries({
      '/t/{tenant}/api/v1/session': ['post', 'get', 'delete'],
      '/t/{tenant}/api/v1/me': ['get'],
      '/t/{tenant}/api/v1/users': ['get', 'post'],
      '/t/{tenant}/api/v1/users/{id}': ['get', 'patch'],
      '/t/{tenant}/api/v1/roles': ['get', 'post'],
      '/t/{tenant}/api/v1/roles/{id}': ['patch', 'delete'],
      '/t/{tenant}/api/v1/settings': ['get', 'patch'],
      '/t/{tenant}/api/v1/audit': ['get'],
      '/platform/api/v1/tenants': ['get', 'post'],
      '/platform/api/v1/tenants/{slug}': ['get', 'patch'],
    })) {
      for (const m of methods) {
        const op = paths[path]?.[m];
        assert.ok(op, `${m.toUpperCase()} ${path} documented`);
        assert.ok(op.tags?.length && op.summary, `${m.toUpperCase()} ${path} has tags and summary`);
      }
    }
    const users = paths['/t/{tenant}/api/v1/users'];
    assert.deepEqual(users.get.parameters!.map((p) => p.name).sort(), [
      'cursor',
      'email',
      'limit',
      'order',
      'q',
      'roleId',
      'sort',
      'status',
      'tenant',
    ]);
    assert.ok(users.post.requestBody);
    assert.ok(users.post.responses['409']);
    assert.equal(paths['/t/{tenant}/login'], undefined, 'the HTML form is not part of the API');
    // A parameter with a default may be left out: it is not required.
    const param = (name: string) =>
      (users.get.parameters as Array<{ name: string; required?: boolean }>).find((p) => p.name === name)!;
    for (const name of ['sort', 'order', 'limit']) assert.notEqual(param(name).required, true, `${name} has a default`);
    assert.equal(paths['/t/{tenant}/api/v1/users/{id}'].get.parameters!.find((p) => p.name === 'id')!.required, true);
    const tokens = paths['/t/{tenant}/api/v1/apps/{id}/tokens'].post.requestBody as {
      content: Record<string, { schema: { required: string[] } }>;
    };
    assert.deepEqual(tokens.content['application/json'].schema.required, ['scopes']);
    assert.equal(
      Object.keys(paths).some((p) => p === '/' || p.startsWith('/console')),
      false,
      'the console is not part of the API',
    );
    // Every error response is the one shared problem schema, which documents the stable code and lists the codes once.
    const PROBLEM_REF = '#/components/schemas/Problem';
    let errorResponses = 0;
    for (const [path, methods] of Object.entries(paths)) {
      for (const [m, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          errorResponses++;
          const content = (response as { content: Record<string, { schema: unknown }> }).content;
          assert.deepEqual(
            Object.values(content).map((c) => c.schema),
            [{ $ref: PROBLEM_REF }],
            `${m.toUpperCase()} ${path} ${status}`,
          );
        }
      }
    }
    assert.ok(errorResponses > 100, `${errorResponses} error responses`);
    const schema = doc.components.schemas.Problem as {
      required: string[];
      properties: { code: { enum: string[]; description: string } };
    };
    assert.ok(schema.required.includes('code'));
    assert.deepEqual(schema.properties.code.enum, PROBLEM_CODES);
    for (const code of [
      'token_expired',
      'token_invalid',
      'token_revoked',
      'client_revoked',
      'user_disabled',
      'not_found',
      'invalid',
    ]) {
      assert.ok(schema.properties.code.enum.includes(code), code);
    }
    assert.equal(res.body.split('"token_unknown_key"').length - 1, 1, 'the codes are listed once');
    assert.match(doc.info.description, /- `token_expired` \(401\): the access token has expired/);
    assert.match(doc.info.description, /- `client_revoked` \(401\)/);
  } finally {
    await s.close();
  }
});

test("the SDKs' shared error fixture names only codes this server sends", () => {
  const file = fileURLToPath(new URL('../../../sdk/test/fixtures/error-cases.json', import.meta.url));
  const { cases } = JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: { body: unknown }[] };
  const codes = cases
    .map((c) => (c.body as { code?: string } | null)?.code)
    .filter((c): c is string => c !== undefined);
  assert.ok(codes.length >= 5);
  for (const code of codes) assert.ok(PROBLEM_CODES.includes(code as never), `${code} is a problem code`);
});
