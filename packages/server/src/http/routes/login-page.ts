import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Tenant } from '../../domain/tenants/model.js';
import type { SignInResult } from '../../domain/sessions/sign-in.js';
import { fromOwnOrigin } from '../auth.js';
import { startSession, type SessionStartDeps } from './session.js';
import { siteOf, type TenantSite } from '../site.js';

/**
 * A plain server-rendered sign-in form, so the console can be reached without JavaScript-driven
 * login. Every interpolated value is escaped; the page loads nothing and may not be framed.
 */

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const MESSAGES: Record<Exclude<SignInResult, { ok: true }>['reason'], string> = {
  invalid_credentials: 'Wrong email or password.',
  disabled: 'This account is disabled.',
  sso_enforced: 'Password sign-in is disabled for this domain. Sign in with single sign-on.',
  throttled: 'Too many failed sign-ins. Try again later.',
};

function page(tenant: Tenant, site: TenantSite, email = '', error?: string): string {
  const action = `${site.basePath}/login`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to ${escapeHtml(tenant.name)} · Latchkey</title>
<style>body{font:16px system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.25rem 0 1rem;padding:.5rem}button{padding:.6rem}.error{color:#b00020}</style>
</head><body>
<h1>Sign in to ${escapeHtml(tenant.name)}</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</body></html>
`;
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
    })
    .send(html);
}

const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

export type LoginPageRouteDeps = SessionStartDeps;

export async function loginPageRoutes(app: FastifyInstance, deps: LoginPageRouteDeps): Promise<void> {
  app.get('/login', { schema: { hide: true } }, async (request, reply) =>
    sendPage(reply, 200, page(request.tenant, siteOf(request, deps.urls))),
  );

  app.post('/login', { schema: { hide: true } }, async (request, reply) => {
    const tenant = request.tenant;
    const site = siteOf(request, deps.urls);
    const email = field(request.body, 'email').slice(0, 320);
    const password = field(request.body, 'password').slice(0, 1024);
    // Login CSRF: another site must not sign the browser in to an account of its choosing.
    if (!fromOwnOrigin(deps, request, true))
      return sendPage(reply, 403, page(tenant, site, email, 'This form must be sent from this site.'));
    if (!email || !password) return sendPage(reply, 400, page(tenant, site, email, 'Enter your email and password.'));
    const result = await deps.sessions.signIn(tenant, { email, password, ip: request.ip });
    if (!result.ok) {
      const status = { invalid_credentials: 401, disabled: 401, sso_enforced: 403, throttled: 429 }[result.reason];
      if (result.reason === 'throttled') reply.header('retry-after', String(result.retryAfter));
      return sendPage(reply, status, page(tenant, site, email, MESSAGES[result.reason]));
    }
    await startSession(deps, request, reply, result.user);
    return reply.code(303).header('location', site.consolePath).header('cache-control', 'no-store').send();
  });
}
