// The ceiling of Latchkey's token endpoint on this stack: Fastify with @fastify/formbody answering
// every POST /token with a fresh ES256 access token signed by synchronous node:crypto (the same
// claims and signing call Latchkey uses), and nothing else: no client authentication, no lookups.
// Whatever Latchkey does per request beyond this shows as the gap between the two rows.
import crypto from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'ceiling' })).toString('base64url');

const app = Fastify();
await app.register(formbody);
app.post('/token', async (request, reply) => {
  const scope = (request.body as Record<string, string> | undefined)?.scope ?? '';
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: 'http://127.0.0.1:8080/t/demo', sub: 'app_0123456789abcdef', aud: 'urn:latchkey:sample-api',
    exp: iat + 3600, iat, jti: crypto.randomUUID(), client_id: 'app_0123456789abcdef', scope,
  };
  const input = header + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  return { access_token: input + '.' + signature.toString('base64url'), token_type: 'Bearer', expires_in: 3600, scope };
});
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });

process.on('SIGTERM', () => process.exit(0));
