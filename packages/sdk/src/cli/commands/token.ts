import type { Command } from 'commander';
import { jwtExpiry } from '../../lib/jwt.js';
import type { Latchkey } from '../../client.js';
import { clientFor, printJson, type CliIO } from '../io.js';
import { tenantEndpoints } from '../../tenant-url.js';

/** Credentials whose access token comes from a file, where it may have been revoked meanwhile. */
const STORED = new Set<string | undefined>(['token_file', 'profile', 'refresh_token']);

/**
 * The server's word on a stored token: introspection (RFC 7662) as the confidential client it
 * belongs to; a user's login (the public SDK client, which cannot introspect) asks GET /me, which
 * answers 401 for a revoked token.
 */
async function stillActive(client: Latchkey, token: string): Promise<boolean> {
  if (await client.canIntrospect()) return (await client.introspect(token)).active;
  const res = await client.fetch(`${tenantEndpoints(client.issuer).api}/me`);
  await res.body?.cancel();
  return res.status !== 401;
}

export function registerToken(program: Command, io: CliIO): void {
  const token = program.command('token').description('access tokens');
  token
    .command('get')
    .description('print a valid access token (refreshed when needed) for use in other tools')
    .option('--force-refresh', 'get a new one even if the current one is still valid')
    .option('--json', 'print {access_token, expires_at}')
    .addHelpText(
      'after',
      '\nExample:\n  curl -H "Authorization: Bearer $(latchkey token get)" http://127.0.0.1:8081/t/demo/metering/api/v1/usage',
    )
    .action(async (opts: { forceRefresh?: boolean; json?: boolean }, cmd: Command) => {
      const client = clientFor(cmd, io);
      let value = await client.getAccessToken({ forceRefresh: opts.forceRefresh });
      // A token kept in a .tok file or a profile may have been revoked since (a regenerated secret,
      // a revoked grant), which no offline check can see: ask the server, and get a new one if so.
      if (!opts.forceRefresh && STORED.has(client.credentialKind) && !(await stillActive(client, value))) {
        value = await client.getAccessToken({ forceRefresh: true });
      }
      if (!opts.json) return void io.stdout.write(value + '\n');
      const exp = jwtExpiry(value);
      printJson(io, {
        access_token: value,
        token_type: 'Bearer',
        expires_at: exp === undefined ? null : new Date(exp).toISOString(),
      });
    });
}
