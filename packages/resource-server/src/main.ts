// `npm run start:resource`: the sample protected API as its own process (PORT 8081 by default).
import type { FastifyBaseLogger } from 'fastify';
import { buildResourceServer } from './app.js';
import { ConfigError, loadConfig, type ResourceServerConfig } from './config.js';
import { createVerifier, type VerifierEvent } from './verifier/verify.js';

let config: ResourceServerConfig;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`resource server: ${err.message}\n`);
  process.exit(1);
}

// Key and metadata fetches are rare and worth a log line each (operators see rotations happen).
let log: FastifyBaseLogger | undefined;
function logEvent(e: VerifierEvent): void {
  if (e.type === 'jwks') {
    if (e.error) log?.warn({ jwksUri: e.uri, reason: e.reason, error: e.error }, 'jwks fetch failed');
    else log?.info({ jwksUri: e.uri, reason: e.reason, kids: e.kids }, 'jwks fetched');
  } else if (e.error) {
    log?.warn({ tenant: e.tenant, error: e.error }, 'authorization server metadata fetch failed');
  } else {
    log?.info({ tenant: e.tenant, outcome: e.outcome }, 'authorization server metadata fetched');
  }
}

const verifier = config.verify
  ? createVerifier({
      latchkeyUrl: config.latchkeyUrl,
      issuers: config.issuers,
      audience: config.audience,
      clockToleranceSeconds: config.clockToleranceSeconds,
      introspection: config.introspection,
      onEvent: logEvent,
    })
  : null;
const app = await buildResourceServer({
  verifier,
  logger: { level: config.logLevel, redact: ['req.headers.authorization'] },
});
log = app.log;

if (!verifier) {
  const banner = '!'.repeat(100);
  process.stderr.write(
    `${banner}\n!!  VERIFY=off: access tokens are NOT verified. Every request is served to anyone, without a token.\n` +
      `!!  This mode exists for benchmarks only (refused when NODE_ENV=production).\n${banner}\n`,
  );
  app.log.warn({ verify: false }, 'UNSAFE: token verification is OFF');
}

await app.listen({ host: config.host, port: config.port });
app.log.info(
  {
    url: `http://${config.host}:${config.port}`,
    latchkeyUrl: config.latchkeyUrl ?? null,
    issuers: config.issuers ?? {},
    audience: config.audience,
    verify: config.verify,
    introspection: config.introspection ? Object.keys(config.introspection.credentials) : false,
  },
  'sample API listening',
);

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
