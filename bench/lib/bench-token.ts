// The one access token the ceiling and the floor sign per request: Latchkey's own signAccessToken
// (synchronous node:crypto ES256) with a key made at start-up, so both servers sign exactly alike.
import crypto from 'node:crypto';
import { signAccessToken } from '../../packages/server/src/domain/tokens/access-token.js';

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = 'bench';
const key = {
  kid,
  key: privateKey,
  createdAt: Date.now(),
  header: Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url'),
};

/** A fresh one-hour access token for `clientId`, acting for itself, with `scope`. */
export function benchToken(clientId: string, scope: string): string {
  return signAccessToken(key, {
    issuer: 'http://127.0.0.1:8080/t/demo',
    subject: clientId,
    audience: 'urn:latchkey:sample-api',
    clientId,
    scope,
    ttlSeconds: 3600,
  }).token;
}
