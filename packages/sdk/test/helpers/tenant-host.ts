import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for one tenant served at its own host name, every endpoint at the root (issue 35), until
 * the real server's host routing can be tested here: a loopback server that records each request
 * and answers the token endpoint (a new access and refresh token for any grant it knows, Basic or
 * `client_id` client authentication, a spent refresh token refused), introspection and
 * `GET /api/v1/me` for the access tokens it issued, and 404 elsewhere. Only the root paths exist: `/t/...` is a 404 like any other.
 */
export interface TenantHost {
  /** `http://127.0.0.1:{port}`: the tenant's URL and issuer. */
  url: string;
  requests: RecordedRequest[];
  /** Makes `refreshToken` a live refresh token of `clientId` (a .tok file's). */
  grant(clientId: string, refreshToken: string): void;
  close(): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  form: Record<string, string>;
}

/** An unsigned JWT-shaped token with `exp`, enough for the SDK to know when to refresh. */
function accessToken(n: number): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'at+jwt' })}.${part({ iat: now, exp: now + 3600, n })}.sig`;
}

export async function startTenantHost(email = 'dev@acme.test'): Promise<TenantHost> {
  const requests: RecordedRequest[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token -> client id
  const accessTokens = new Set<string>();
  let n = 0;
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const form = Object.fromEntries(new URLSearchParams(body));
    requests.push({ method: req.method ?? '', path, headers: req.headers, form });
    const send = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));

    if (req.method === 'POST' && path === '/oauth2/v1/token') {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const clientId = basic ? Buffer.from(basic, 'base64').toString().split(':')[0] : form.client_id;
      if (form.grant_type === 'refresh_token') {
        if (refreshTokens.get(form.refresh_token ?? '') !== clientId)
          return send(400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        refreshTokens.delete(form.refresh_token!);
      } else if (!['password', 'client_credentials'].includes(form.grant_type ?? '')) {
        return send(400, { error: 'unsupported_grant_type' });
      }
      const access = accessToken(++n);
      accessTokens.add(access);
      const refresh = form.grant_type === 'client_credentials' ? undefined : `lk_rt_host_${n}`;
      if (refresh) refreshTokens.set(refresh, clientId ?? '');
      return send(200, { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: refresh });
    }
    if (req.method === 'POST' && path === '/oauth2/v1/introspect') {
      if (!req.headers.authorization?.startsWith('Basic ')) return send(401, { error: 'invalid_client' });
      return send(200, { active: accessTokens.has(form.token ?? '') });
    }
    if (req.method === 'GET' && path === '/api/v1/me') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !accessTokens.has(token)) return send(401, { title: 'Unauthorized', code: 'token_invalid' });
      return send(200, { email });
    }
    send(404, { title: 'Not Found', detail: `no route ${req.method} ${path}` });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    grant: (clientId, refreshToken) => void refreshTokens.set(refreshToken, clientId),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
