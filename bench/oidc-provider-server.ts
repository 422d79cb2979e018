// The reference: oidc-provider (npm) with a minimal in-memory configuration, on PORT.
// One confidential client with the client_credentials and refresh_token grants, introspection on.
// OIDC_JWT=1 turns on resource indicators so client_credentials tokens for `resource=urn:bench:api`
// are ES256 JWTs (like Latchkey's) instead of opaque ones.
//
// Getting a refresh token from oidc-provider normally takes a browser authorization-code flow with
// login and consent; instead `POST /bench/refresh-tokens?n=N` mints N through oidc-provider's own
// models (one Grant and one RefreshToken each, exactly what that flow stores), so the measured
// refresh_token grant is oidc-provider's own code path.
//
// Storage is a plain in-memory Map adapter below: oidc-provider's built-in development adapter is an
// LRU of 1000 entries (a few thousand tokens evict the grants that refresh tokens need) and it keeps
// per-grant member lists that grow with every rotation, so it cannot be loaded for seconds at a time.
import http from 'node:http';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { CLIENT_ID, CLIENT_SECRET, RESOURCE } from './oidc-provider-constants.js';

/** The smallest adapter that oidc-provider accepts: one Map per model, expiry checked on read. */
class MemoryAdapter {
  static stores = new Map<string, Map<string, { payload: any; expiresAt?: number }>>();
  static grants = new Map<string, Set<string>>();
  private store: Map<string, { payload: any; expiresAt?: number }>;
  constructor(name: string) {
    let s = MemoryAdapter.stores.get(name);
    if (!s) MemoryAdapter.stores.set(name, (s = new Map()));
    this.store = s;
  }
  async upsert(id: string, payload: any, expiresIn?: number) {
    this.store.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    if (payload.grantId) {
      let g = MemoryAdapter.grants.get(payload.grantId);
      if (!g) MemoryAdapter.grants.set(payload.grantId, (g = new Set()));
      g.add(id);
    }
  }
  async find(id: string) {
    const e = this.store.get(id);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt < Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return e.payload;
  }
  async findByUserCode() {
    return undefined;
  }
  async findByUid() {
    return undefined;
  }
  async consume(id: string) {
    const e = this.store.get(id);
    if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    this.store.delete(id);
  }
  async revokeByGrantId(grantId: string) {
    for (const id of MemoryAdapter.grants.get(grantId) ?? [])
      for (const s of MemoryAdapter.stores.values()) s.delete(id);
    MemoryAdapter.grants.delete(grantId);
  }
}

const port = Number(process.env.PORT);
const jwtTokens = process.env.OIDC_JWT === '1';

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  adapter: MemoryAdapter,
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_types: ['client_credentials', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      scope: 'myservices offline_access',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  scopes: ['openid', 'offline_access', 'myservices'],
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async () => true },
    devInteractions: { enabled: false },
    ...(jwtTokens
      ? {
          resourceIndicators: {
            enabled: true,
            defaultResource: async () => RESOURCE,
            useGrantedResource: async () => true,
            getResourceServerInfo: async () => ({
              scope: 'myservices',
              audience: RESOURCE,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'ES256' } },
            }),
          },
        }
      : {}),
  },
  jwks: { keys: [jwk] },
  cookies: { keys: ['bench-cookie-key-0123456789'] },
  findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
  rotateRefreshToken: true,
  ttl: { AccessToken: 3600, ClientCredentials: 3600, Grant: 366 * 86400, RefreshToken: 365 * 86400 },
} as any);

const providerCallback = provider.callback();

async function mintRefreshTokens(n: number): Promise<string[]> {
  const p = provider as any;
  const client = await p.Client.find(CLIENT_ID);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const grant = new p.Grant({ accountId: 'bench-user', clientId: CLIENT_ID });
    grant.addOIDCScope('offline_access myservices');
    const grantId = await grant.save();
    const rt = new p.RefreshToken({
      accountId: 'bench-user',
      client,
      grantId,
      scope: 'offline_access myservices',
      gty: 'authorization_code',
    });
    out.push(await rt.save());
  }
  return out;
}

http
  .createServer((req, res) => {
    if (req.url?.startsWith('/bench/refresh-tokens')) {
      const n = Math.min(1000, Number(new URL(req.url, 'http://x').searchParams.get('n') || 1));
      mintRefreshTokens(n).then(
        (tokens) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ refresh_tokens: tokens }));
        },
        (err) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err?.stack ?? err));
        },
      );
      return;
    }
    providerCallback(req, res);
  })
  .listen(port, '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
