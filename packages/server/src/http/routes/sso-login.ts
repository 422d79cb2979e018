import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Tenant } from '../../domain/tenants/model.js';
import { SsoError, type SsoFailure, type SsoLoginService } from '../../domain/sso/login.js';
import { LOGIN_STATE_TTL_MS } from '../../domain/sso/model.js';
import { startSession, type SessionStartDeps } from './session.js';
import { cookieName, secureCookies } from '../cookies.js';
import { siteOf, type TenantSite } from '../site.js';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Each failure's page: status, heading, and what the person can do. Never the error's internals. */
const PAGES: Record<SsoFailure, [number, string, string]> = {
  no_provider: [
    400,
    'Single sign-on is not available',
    'This identity provider does not exist or is turned off. Ask a domain manager, or sign in another way.',
  ],
  throttled: [
    429,
    'Too many sign-in attempts',
    'Too many sign-ins were started from your network without finishing. Try again in {retryAfter} seconds.',
  ],
  state: [
    400,
    'This sign-in link has expired or was already used',
    'The sign-in could not be matched to one started here (state mismatch or replay). Start again from the sign-in page.',
  ],
  browser: [
    400,
    'This sign-in was started in another browser',
    'A sign-in must finish in the browser where it began. If you did not just start one, someone may have sent you this link: you were not signed in. Otherwise start again from the sign-in page.',
  ],
  denied: [
    403,
    'Sign-in was cancelled',
    'The identity provider did not give consent to sign you in. Start again and accept, or sign in another way.',
  ],
  provider_error: [
    400,
    'The identity provider refused the sign-in',
    "The provider answered with an error. Try again; if it persists, ask a domain manager to check the provider's settings.",
  ],
  unreachable: [
    502,
    'The identity provider could not be reached',
    'Latchkey could not talk to the identity provider. Try again in a moment; if it persists, tell a domain manager.',
  ],
  invalid_response: [
    502,
    "The identity provider's answer could not be verified",
    "The ID token or the code exchange failed its checks. Try again; if it persists, ask a domain manager to check the provider's settings.",
  ],
  unverified: [
    403,
    'Your email address is not verified',
    'The identity provider has not verified your email address. Verify it there, then sign in again.',
  ],
  foreign_email: [
    403,
    'This email address may not sign in here',
    'Your email address is not in a domain this identity provider may sign in. Use your work account, or ask a domain manager.',
  ],
  no_account: [
    403,
    'There is no account for you yet',
    'No account of this domain has your email address. Ask a domain manager to invite you.',
  ],
  disabled: [403, 'This account is disabled', 'Ask a domain manager to enable your account.'],
  not_allowed: [403, 'This account cannot use single sign-on', 'Platform administrators sign in with their password.'],
};

function errorPage(reply: FastifyReply, tenant: Tenant, site: TenantSite, err: SsoError): FastifyReply {
  const [status, title, template] = PAGES[err.reason];
  const retryAfter = err.extra.retryAfter;
  const text = template.replace('{retryAfter}', String(retryAfter));
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  const back = `${site.consolePath}sign-in`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(tenant.name)} · Latchkey</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
<p><a href="${escapeHtml(back)}">Back to sign-in</a></p>
</body></html>
`;
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
    })
    .send(html);
}

const query = (q: unknown, name: string): string | undefined => {
  const v = (q as Record<string, unknown>)[name];
  return typeof v === 'string' ? v.slice(0, 2000) : undefined;
};

/**
 * Console sign-in through the domain's OpenID Connect provider (openid-client as the relying party).
 * The start binds the sign-in to the browser with a cookie the callback must bring back: SameSite=Lax,
 * so the browser sends it on the provider's top-level redirect from another site; host-only and
 * HttpOnly; it lives as long as the pending login.
 */
export interface SsoLoginRouteDeps extends SessionStartDeps {
  ssoLogins: SsoLoginService;
}

export async function ssoLoginRoutes(app: FastifyInstance, deps: SsoLoginRouteDeps): Promise<void> {
  const { ssoLogins, config } = deps;
  const binding = cookieName(config, 'lk_sso');
  const bindingCookie = { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies(config) } as const;

  app.get('/login/sso', { schema: { hide: true } }, async (request, reply) => {
    const site = siteOf(request, deps.urls);
    try {
      const start = await ssoLogins.start(
        request.tenant,
        site,
        query(request.query, 'idp'),
        query(request.query, 'next'),
        request.ip,
      );
      reply.setCookie(binding, start.binding, { ...bindingCookie, maxAge: LOGIN_STATE_TTL_MS / 1000 });
      return reply.code(302).header('cache-control', 'no-store').header('location', start.url).send();
    } catch (err) {
      if (err instanceof SsoError) return errorPage(reply, request.tenant, site, err);
      throw err;
    }
  });

  app.get('/login/sso/callback', { schema: { hide: true } }, async (request, reply) => {
    const tenant = request.tenant;
    const site = siteOf(request, deps.urls);
    try {
      // The URL the provider redirected to: the redirect URI of where the sign-in started (the
      // request's tenant URL, never one made from a Host header the server does not serve).
      const q = request.url.indexOf('?');
      const url = new URL(`${site.issuer}/login/sso/callback${q < 0 ? '' : request.url.slice(q)}`);
      // Used once, whatever the outcome.
      const presented = request.cookies[binding];
      if (presented !== undefined) reply.clearCookie(binding, bindingCookie);
      const done = await ssoLogins.finish(tenant, url, presented, request.ip);
      await startSession(deps, request, reply, done.user, {
        method: 'sso',
        idpId: done.idp.id,
        idTokenSealed: done.idTokenSealed,
      });
      return reply.code(302).header('cache-control', 'no-store').header('location', done.next).send();
    } catch (err) {
      if (!(err instanceof SsoError)) throw err;
      // Only a sign-in this server started is audited (never a token, the code or a caller's text).
      await ssoLogins.failed(tenant, err);
      return errorPage(reply, tenant, site, err);
    }
  });
}
