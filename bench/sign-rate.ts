// Raw ES256 access-token signing rate on one core (run as its own process by bench/run.ts):
// jose's SignJWT (WebCrypto, one signature in flight at a time) and synchronous node:crypto with a
// cached KeyObject. Prints one JSON line: {"jose": n, "nodeCrypto": n} in signatures per second.
import crypto from 'node:crypto';
import { SignJWT } from 'jose';

const seconds = Number(process.env.BENCH_SIGN_SECONDS || 2);

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = 'bench-key';

function claims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'http://127.0.0.1:8080/t/demo',
    sub: 'app_0123456789abcdef',
    aud: 'myservices',
    client_id: 'app_0123456789abcdef',
    scope: 'myservices',
    iat: now,
    exp: now + 3600,
    jti: crypto.randomUUID(),
  };
}

async function joseRate(): Promise<number> {
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < end) {
    await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

function nodeCryptoRate(): number {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');
  let n = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < end) {
    const input = header + '.' + Buffer.from(JSON.stringify(claims())).toString('base64url');
    const sig = crypto.sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const jwt = input + '.' + sig.toString('base64url');
    if (jwt.length < 10) throw new Error('unreachable');
    n++;
  }
  return n / ((performance.now() - started) / 1000);
}

// A short warm-up of both, then the timed loops.
for (let i = 0; i < 200; i++) {
  await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
  crypto.sign('sha256', Buffer.from('warm-up'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
}
const jose = await joseRate();
const nodeCrypto = nodeCryptoRate();
process.stdout.write(JSON.stringify({ jose, nodeCrypto }) + '\n');
