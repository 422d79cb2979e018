// The ceiling of Latchkey's token endpoint on this stack: Fastify with @fastify/formbody answering
// every POST /token with a fresh access token from Latchkey's own signAccessToken (synchronous
// node:crypto ES256), and nothing else: no client authentication, no lookups. Whatever Latchkey does
// per request beyond this shows as the gap between the two rows.
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { benchToken } from './lib/bench-token.js';

const app = Fastify();
await app.register(formbody);
app.post('/token', async (request, reply) => {
  const scope = (request.body as Record<string, string> | undefined)?.scope ?? '';
  const token = benchToken('app_0123456789abcdef', scope);
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  return { access_token: token, token_type: 'Bearer', expires_in: 3600, scope };
});
app.get('/', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });

process.on('SIGTERM', () => process.exit(0));
