// The JWT assertion grant (RFC 7523) by hand, with jose: the application signs a short-lived JWT
// with its private key and trades it for an access token. No client secret is sent: the assertion
// names the application (iss) and proves it (the signature, checked against the public keys
// registered on the application). Prints the access token.
//
//   LATCHKEY_URL=http://127.0.0.1:8080 LATCHKEY_TENANT=demo LATCHKEY_CLIENT_ID=lk_app_… \
//   LATCHKEY_PRIVATE_KEY_FILE=app-key.pem LATCHKEY_KEY_ID=app-key-1 node examples/jwt-assertion/jose.mjs
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, importPKCS8 } from 'jose';

const setting = (name, fallback) => {
  const value = process.env[name] || fallback;
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const base = setting('LATCHKEY_URL', 'http://127.0.0.1:8080');
const tenant = setting('LATCHKEY_TENANT', 'demo');
const clientId = setting('LATCHKEY_CLIENT_ID');
const tokenEndpoint = `${base}/t/${tenant}/oauth2/v1/token`;
// An EC P-256 key in PKCS #8 PEM (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).
const privateKey = await importPKCS8(readFileSync(setting('LATCHKEY_PRIVATE_KEY_FILE'), 'utf8'), 'ES256');

const assertion = await new SignJWT()
  // kid: the registered public key's kid (optional when the application has one key).
  .setProtectedHeader({
    alg: 'ES256',
    typ: 'JWT',
    ...(process.env.LATCHKEY_KEY_ID ? { kid: process.env.LATCHKEY_KEY_ID } : {}),
  })
  .setIssuer(clientId) // iss: the application's client id
  .setSubject(clientId) // sub: the same client id
  .setAudience(tokenEndpoint) // aud: this token endpoint (the tenant's issuer, base/t/tenant, is accepted too)
  .setJti(randomUUID()) // jti: unique; each assertion is accepted once
  .setIssuedAt()
  .setExpirationTime('1m') // exp: at most 5 minutes ahead
  .sign(privateKey);

const res = await fetch(tokenEndpoint, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  // scope: optional, a subset of the application's scopes (default: all of them).
  body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
});
const body = await res.json();
if (!res.ok) {
  console.error(`${res.status} ${body.error}: ${body.error_description}`);
  process.exit(1);
}
console.log(body.access_token);
