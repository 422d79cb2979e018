// A stand-in authorization server for fast verifier tests: RFC 8414 metadata, a JWKS and an
// introspection endpoint per tenant, each call counted, and tokens minted with jose. Tenant hosts
// are tested against the real server (e2e/verifier-issuers.test.ts, e2e/host-issuer.test.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';

export const AUDIENCE = 'urn:latchkey:sample-api';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

interface FakeTenant {
  keys: SigningKey[];
  /** jti -> active? (absent: active) */
  revoked: Set<string>;
}

export interface Counters {
  metadata: number;
  jwks: number;
  introspect: number;
}

export async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

export interface MintOptions {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  /** Sign with this key instead of the tenant's active one. */
  key?: SigningKey;
  /** Seconds from now (negative: already expired). Default 3600. */
  ttl?: number;
}

export class FakeAuthorizationServer {
  readonly counters: Counters = { metadata: 0, jwks: 0, introspect: 0 };
  readonly tenants = new Map<string, FakeTenant>();
  /** Basic credentials the introspection endpoint accepts ("id:secret" before encoding). */
  readonly introspectionClients = new Set<string>();
  /** Set to make every endpoint fail (a server that is down but still listening). */
  failing = false;
  /** Tenants whose JWKS needs client authentication (signing certificate access off). */
  readonly privateJwks = new Set<string>();
  lastIntrospectionAuth: string | undefined;
  url = '';
  private server?: http.Server;

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The tenant's issuer in the path form. */
  issuer(tenant: string): string {
    return `${this.url}/t/${tenant}`;
  }

  async addTenant(slug: string): Promise<FakeTenant> {
    const t: FakeTenant = { keys: [await newKey()], revoked: new Set() };
    this.tenants.set(slug, t);
    return t;
  }

  /** A new active key; the old ones stay published. */
  async rotate(slug: string): Promise<string> {
    const k = await newKey();
    this.tenants.get(slug)!.keys.push(k);
    return k.kid;
  }

  activeKey(slug: string): SigningKey {
    const keys = this.tenants.get(slug)!.keys;
    return keys[keys.length - 1];
  }

  async mint(slug: string, opts: MintOptions = {}): Promise<string> {
    const key = opts.key ?? this.activeKey(slug);
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: this.issuer(slug),
      sub: 'lk_app_test',
      aud: AUDIENCE,
      iat: now,
      exp: now + (opts.ttl ?? 3600),
      jti: crypto.randomUUID(),
      client_id: 'lk_app_test',
      scope: 'metering myservices',
      ...opts.claims,
    };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid, ...opts.header })
      .sign(key.privateKey);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    let m = /^\/\.well-known\/oauth-authorization-server\/t\/([^/]+)$/.exec(url.pathname);
    if (m) {
      this.counters.metadata++;
      if (this.failing) return send(500, { error: 'server_error' });
      if (!this.tenants.has(m[1])) return send(404, { error: 'invalid_request' });
      const issuer = this.issuer(m[1]);
      return send(200, {
        issuer,
        jwks_uri: `${issuer}/oauth2/v1/keys`,
        introspection_endpoint: `${issuer}/oauth2/v1/introspect`,
      });
    }
    m = /^\/t\/([^/]+)\/oauth2\/v1\/keys$/.exec(url.pathname);
    if (m) {
      this.counters.jwks++;
      const t = this.tenants.get(m[1]);
      if (this.failing || !t) return send(this.failing ? 500 : 404);
      if (this.privateJwks.has(m[1])) return send(401, { error: 'invalid_client' });
      return send(200, { keys: t.keys.map((k) => k.publicJwk) });
    }
    m = /^\/t\/([^/]+)\/oauth2\/v1\/introspect$/.exec(url.pathname);
    if (m && req.method === 'POST') {
      this.counters.introspect++;
      let body = '';
      for await (const chunk of req) body += chunk;
      const auth = req.headers.authorization ?? '';
      this.lastIntrospectionAuth = auth;
      const decoded = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString();
      const [id, secret] = decoded.split(':').map(decodeURIComponent);
      if (!auth.startsWith('Basic ') || !this.introspectionClients.has(`${id}:${secret}`))
        return send(401, { error: 'invalid_client' });
      const token = new URLSearchParams(body).get('token') ?? '';
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as JWTPayload;
      const t = this.tenants.get(m[1]);
      const active = !!t && typeof payload.jti === 'string' && !t.revoked.has(payload.jti);
      return send(200, active ? { active: true, jti: payload.jti, scope: payload.scope } : { active: false });
    }
    send(404);
  }
}

/** A verifier clock that tests move by hand. */
export function manualClock(start = Date.now()) {
  let t = start;
  return {
    now: () => t,
    advance: (seconds: number) => {
      t += seconds * 1000;
    },
  };
}

export function jtiOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
}

/** A URL where nothing listens (connection refused). */
export async function deadUrl(): Promise<string> {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return `http://127.0.0.1:${port}`;
}
