// The JWT assertion grant (RFC 7523) with the SDK: give it the application's client id and private
// key, and it signs a fresh assertion (iss = sub = client id, aud = the token endpoint, a one-time
// jti, valid a minute) whenever it needs an access token. Prints the access token.
//
//   LATCHKEY_URL=http://127.0.0.1:8080 LATCHKEY_TENANT=demo LATCHKEY_CLIENT_ID=lk_app_… \
//   LATCHKEY_PRIVATE_KEY_FILE=app-key.pem LATCHKEY_KEY_ID=app-key-1 node examples/jwt-assertion/sdk.mjs
import { readFileSync } from 'node:fs';
import { Latchkey } from '@latchkey/sdk';

if (!process.env.LATCHKEY_CLIENT_ID || !process.env.LATCHKEY_PRIVATE_KEY_FILE)
  throw new Error('set LATCHKEY_CLIENT_ID and LATCHKEY_PRIVATE_KEY_FILE');
// The server and tenant come from LATCHKEY_URL and LATCHKEY_TENANT (default http://127.0.0.1:8080, demo);
// LATCHKEY_URL alone is a tenant's own URL (https://acme.id.example.com), the assertion's aud its token endpoint.
const lk = new Latchkey({
  credentials: {
    clientId: process.env.LATCHKEY_CLIENT_ID,
    // PEM text, a KeyObject or a private JWK: EC (ES256/384/512), RSA (RS256) or Ed25519 (EdDSA).
    privateKey: readFileSync(process.env.LATCHKEY_PRIVATE_KEY_FILE, 'utf8'),
    keyId: process.env.LATCHKEY_KEY_ID,
  },
});
console.log(await lk.getAccessToken());
