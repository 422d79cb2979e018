// The ceiling of Latchkey's token endpoint on this stack: Fastify with @fastify/formbody answering
// every POST /token with a fresh access token from Latchkey's own signAccessToken (synchronous
// node:crypto ES256), and nothing else: no client authentication, no lookups. Whatever Latchkey does
// per request beyond this shows as the gap between the two rows.
import crypto from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { signAccessToken } from '../packages/server/src/domain/tokens/access-token.js';

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = 'ceiling';
const key = { kid, key: privateKey, createdAt: Date.now(), header: Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url') };

const app = Fastify();
await app.register(formbody);
app.post('/token', async (request, reply) => {
  const scope = (request.body as Record<string, string> | undefined)?.scope ?? '';
  const { token } = signAccessToken(key, {
    issuer: 'http://127.0.0.1:8080/t/demo', subject: 'app_0123456789abcdef', audience: 'urn:latchkey:sample-api',
    clientId: 'app_0123456789abcdef', scope, ttlSeconds: 3600,
  });
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope };
});
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });

process.on('SIGTERM', () => process.exit(0));
