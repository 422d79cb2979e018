// The floor of a token endpoint that does, per request, only what Latchkey's design requires of
// every client_credentials request, and nothing else: the ceiling (Fastify, formbody, one ES256
// signature) plus the tenant's path (`/t/:tenant/…`), HTTP Basic decoding, one keyed hash of the
// presented secret compared in constant time (Latchkey's SecretHasher) and the per-request metrics
// (Latchkey's Metrics, hooked as app.ts hooks it). No tenant, client or owner lookup, no throttle, no
// scopes. The ratio floor / ceiling bounds what any implementation of the design can reach here.
import crypto from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { benchToken } from './lib/bench-token.js';
import { SecretHasher } from '../packages/server/src/crypto/secrets.js';
import { Metrics } from '../packages/server/src/metrics.js';

// The one client it knows, given by the bench (bench/run.ts).
const FLOOR_CLIENT_ID = process.env.FLOOR_CLIENT_ID ?? '';
const FLOOR_CLIENT_SECRET = process.env.FLOOR_CLIENT_SECRET ?? '';
if (!FLOOR_CLIENT_ID || !FLOOR_CLIENT_SECRET) throw new Error('FLOOR_CLIENT_ID and FLOOR_CLIENT_SECRET are required');

const hasher = new SecretHasher(crypto.randomBytes(32));
const storedHash = hasher.hash(FLOOR_CLIENT_SECRET);
const metrics = new Metrics({});

const app = Fastify();
app.addHook('onResponse', (request, reply, done) => {
  metrics.observe(request, reply);
  done();
});
await app.register(formbody);
app.post('/t/:tenant/oauth2/v1/token', async (request, reply) => {
  const raw = Buffer.from((request.headers.authorization ?? '').slice(6), 'base64').toString('utf8');
  const colon = raw.indexOf(':');
  if (colon < 0 || raw.slice(0, colon) !== FLOOR_CLIENT_ID || !hasher.verify(raw.slice(colon + 1), storedHash)) {
    return reply.code(401).send({ error: 'invalid_client', error_description: 'client authentication failed' });
  }
  const scope = (request.body as Record<string, string> | undefined)?.scope ?? '';
  const token = benchToken(FLOOR_CLIENT_ID, scope);
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope };
});
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });

process.on('SIGTERM', () => process.exit(0));
