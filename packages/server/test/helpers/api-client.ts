import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { TestServer } from './harness.js';
import { signAccessToken } from '../../src/domain/tokens/access-token.js';
import { PROBLEM_CODES, type ProblemCode } from '../../src/http/problem.js';

/** How a test caller authenticates: a console session (cookie + CSRF token) or a bearer token. */
export type Credentials = { cookie: string; csrf: string } | { bearer: string } | null;

export interface Caller {
  request(
    method: InjectOptions['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
}

/** Drives the management API as `who`, adding the cookie and CSRF header or the bearer token. */
export function as(s: TestServer, who: Credentials): Caller {
  return {
    request(method, url, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      let cookies: Record<string, string> | undefined;
      if (who && 'cookie' in who) {
        cookies = { lk_session: who.cookie };
        if (h['x-csrf-token'] === undefined) h['x-csrf-token'] = who.csrf;
      } else if (who) {
        h.authorization = `Bearer ${who.bearer}`;
      }
      return s.app.inject({
        method,
        url,
        headers: h,
        cookies,
        ...(body === undefined ? {} : { payload: body as object }),
      });
    },
  };
}

/** Signs in through the JSON API and returns the session cookie and CSRF token. */
export async function login(
  s: TestServer,
  tenant: string,
  email: string,
  password: string,
): Promise<{ cookie: string; csrf: string; userId: string }> {
  const res = await s.app.inject({ method: 'POST', url: `/t/${tenant}/api/v1/session`, payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.find((c) => c.name === 'lk_session');
  assert.ok(cookie, 'session cookie set');
  return { cookie: cookie.value, csrf: res.json().csrfToken, userId: res.json().user.id };
}

/** Mints an access token for a user the way the token endpoint would (it may not exist yet). */
export async function bearer(s: TestServer, tenantSlug: string, userId: string, ttlSeconds = 300): Promise<string> {
  const tenant = (await s.services.tenants.get(tenantSlug))!;
  const issuer = s.services.issuer(tenant);
  return signAccessToken(await s.services.keys.active(tenant), {
    issuer,
    subject: userId,
    audience: issuer,
    clientId: 'latchkey-sdk',
    scope: '',
    ttlSeconds,
  }).token;
}

/**
 * Asserts a problem document with this status (and code, when given), and returns its detail. Every
 * problem carries one of the documented codes, and its type URL is the code in kebab-case.
 */
export function problem(res: LightMyRequestResponse, status: number, detail?: RegExp, code?: ProblemCode): string {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.status, status);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  assert.ok(PROBLEM_CODES.includes(body.code), `a documented code: ${res.body}`);
  assert.equal(body.type, `https://latchkey.dev/problems/${body.code.replaceAll('_', '-')}`);
  if (code) assert.equal(body.code, code, res.body);
  if (detail) assert.match(body.detail, detail);
  return body.detail;
}
