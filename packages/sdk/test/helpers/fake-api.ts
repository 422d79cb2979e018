import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from 'jose';

/**
 * A stand-in for the sample protected API (the real one is another package): verifies bearer tokens
 * offline with the authorization server's JWKS, answers like the contract says (401 + WWW-Authenticate
 * + `{errorMessage, errorCode}`, the message containing `Expired` and the code ERR_TOKEN_EXPIRED for
 * an expired token, 403 insufficient_scope), and lets a test declare a token expired.
 */
export interface FakeApi {
  url: string;
  /** Answer this token with 401 "Expired" from now on. */
  expire(token: string): void;
  /** Tokens presented, in order. */
  seen: string[];
  close(): Promise<void>;
}

const ROUTES: Record<string, string> = {
  'myservices/api/v1/serviceEntitlements': 'myservices',
  'myservices/api/v1/instances': 'myservices',
  'metering/api/v1/usage': 'metering',
};

export async function startFakeApi(authServerUrl: string): Promise<FakeApi> {
  const jwks = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  const expired = new Set<string>();
  const seen: string[] = [];
  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown, challenge?: string) => {
      if (challenge) res.setHeader('www-authenticate', challenge);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/t\/([^/]+)\/(.+)$/.exec(url.pathname);
    const scope = m ? ROUTES[m[2]!] : undefined;
    if (!m || !scope) return send(404, { errorMessage: 'Not found', errorCode: 'ERR_NOT_FOUND' });
    const tenant = m[1]!;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token)
      return send(
        401,
        { errorMessage: 'Missing access token', errorCode: 'ERR_TOKEN_MISSING' },
        'Bearer realm="sample"',
      );
    seen.push(token);
    const invalid = (errorCode: string, msg: string) =>
      send(401, { errorMessage: msg, errorCode }, `Bearer error="invalid_token", error_description="${msg}"`);
    if (expired.has(token)) return invalid('ERR_TOKEN_EXPIRED', 'Expired token');
    const issuer = `${authServerUrl}/t/${tenant}`;
    if (!jwks.has(issuer)) jwks.set(issuer, createRemoteJWKSet(new URL(`${issuer}/oauth2/v1/keys`)));
    try {
      const { payload } = await jwtVerify(token, jwks.get(issuer)!, { issuer, typ: 'at+jwt' });
      const scopes = String(payload.scope ?? '').split(' ');
      if (!scopes.includes(scope))
        return send(
          403,
          { errorMessage: `Insufficient scope: needs ${scope}`, errorCode: 'ERR_INSUFFICIENT_SCOPE' },
          `Bearer error="insufficient_scope", scope="${scope}"`,
        );
      return send(200, {
        tenant,
        path: m[2],
        subject: payload.sub,
        clientId: payload.client_id,
        scope: payload.scope,
        query: Object.fromEntries(url.searchParams),
      });
    } catch (err) {
      return err instanceof joseErrors.JWTExpired
        ? invalid('ERR_TOKEN_EXPIRED', 'Expired token')
        : invalid('ERR_TOKEN_SIGNATURE', `Invalid token: ${(err as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    expire: (token) => {
      expired.add(token);
    },
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
