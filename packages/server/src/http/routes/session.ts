import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { SignInResult } from '../../domain/sessions/sign-in.js';
import type { SessionOrigin, SessionService } from '../../domain/sessions/service.js';
import type { SsoLoginService } from '../../domain/sso/login.js';
import type { User } from '../../domain/users/model.js';
import { clearSessionCookie, fromOwnOrigin, sessionCookie, setSessionCookie, type SiteDeps } from '../auth.js';
import { badRequest, forbidden, tooManyRequests, unauthorized, type Problem } from '../problem.js';
import { errors, iso, Timestamp } from '../schemas.js';
import { siteOf } from '../site.js';

const Credentials = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const SessionView = Type.Object({
  csrfToken: Type.String({ description: 'send as X-CSRF-Token on POST, PUT, PATCH and DELETE' }),
  user: Type.Object({ id: Type.String(), email: Type.String(), displayName: Type.String() }),
  expiresAt: Timestamp,
  method: Type.Union([Type.Literal('password'), Type.Literal('sso')], { description: 'how the session began' }),
});

const sessionView = (user: User, csrfToken: string, expiresAt: number, method: 'password' | 'sso' = 'password') => ({
  csrfToken,
  user: { id: user.id, email: user.email, displayName: user.displayName },
  expiresAt: iso(expiresAt),
  method,
});

/** The API's answer to a failed sign-in; a wrong email and a wrong password read the same. */
export function signInProblem(result: Exclude<SignInResult, { ok: true }>): Problem {
  switch (result.reason) {
    case 'throttled':
      return tooManyRequests(`too many failed sign-ins; try again in ${result.retryAfter} seconds`, result.retryAfter);
    case 'sso_enforced':
      return forbidden(
        'password sign-in is disabled for this domain: sign in with single sign-on, and use a personal OAuth2 client for programs',
        'sso_enforced',
      );
    case 'disabled':
      return unauthorized('this account is disabled', 'user_disabled');
    case 'invalid_credentials':
      return unauthorized('wrong email or password', 'invalid_credentials');
  }
}

/** What starting a session from a request needs: the sessions, and where the server is (the cookie's name and attributes). */
export interface SessionStartDeps extends SiteDeps {
  sessions: SessionService;
}

/** Signs the user in: a new session replaces the one the browser presented, if any. */
export async function startSession(
  deps: SessionStartDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  user: User,
  origin?: SessionOrigin,
) {
  const session = await deps.sessions.start(user, request.cookies[sessionCookie(deps)], origin);
  setSessionCookie(reply, deps, session.secret, session.expiresAt);
  return session;
}

function requireSession(request: FastifyRequest) {
  if (request.auth?.via !== 'session')
    throw badRequest('there is no console session: this request used a bearer token');
  return request.auth;
}

export interface SessionRouteDeps extends SessionStartDeps {
  ssoLogins: SsoLoginService;
}

export async function sessionRoutes(app: FastifyInstance, deps: SessionRouteDeps): Promise<void> {
  const { sessions, ssoLogins } = deps;
  app.post<{ Body: Static<typeof Credentials> }>(
    '/session',
    {
      config: { public: true },
      schema: {
        tags: ['session'],
        summary: 'Sign in to the console with email and password (sets the lk_session cookie)',
        security: [],
        body: Credentials,
        response: { 200: SessionView, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      // Login CSRF: a page elsewhere must not sign this browser in to an account of its choosing.
      if (!fromOwnOrigin(deps, request)) throw forbidden('cross-origin request refused', 'csrf');
      const result = await sessions.signIn(request.tenant, { ...request.body, ip: request.ip });
      if (!result.ok) throw signInProblem(result);
      const session = await startSession(deps, request, reply, result.user);
      // The answer carries the CSRF token: no cache may keep it.
      reply.header('cache-control', 'no-store');
      return sessionView(result.user, session.csrfToken, session.expiresAt);
    },
  );

  app.get(
    '/session',
    {
      config: { scope: null },
      schema: {
        tags: ['session'],
        summary: 'The current console session and its CSRF token',
        response: { 200: SessionView, ...errors(400, 401) },
      },
    },
    async (request, reply) => {
      const auth = requireSession(request);
      const session = (await sessions.byHash(auth.sessionHash!))!;
      reply.header('cache-control', 'no-store');
      return sessionView(auth.principal.user, session.csrfToken, session.expiresAt, session.method);
    },
  );

  app.delete(
    '/session',
    {
      config: { scope: null },
      schema: {
        tags: ['session'],
        summary: "Sign out (an SSO session also gets the provider's logout URL, when it has one)",
        response: {
          200: Type.Object({
            endSessionUrl: Type.String({ description: "the provider's end-session URL, to offer as a link" }),
          }),
          204: Type.Null(),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const auth = requireSession(request);
      const session = await sessions.byHash(auth.sessionHash!);
      if (session) await sessions.end(session);
      clearSessionCookie(reply, deps);
      const url = session && (await ssoLogins.endSessionUrl(request.tenant, siteOf(request, deps.urls), session));
      if (url) return reply.code(200).header('cache-control', 'no-store').send({ endSessionUrl: url });
      return reply.code(204).send();
    },
  );
}
