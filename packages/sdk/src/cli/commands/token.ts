import type { Command } from 'commander';
import { jwtExpiry } from '../../lib/jwt.js';
import { clientFor, printJson, type CliIO } from '../io.js';

export function registerToken(program: Command, io: CliIO): void {
  const token = program.command('token').description('access tokens');
  token.command('get')
    .description('print a valid access token (refreshed when needed) for use in other tools')
    .option('--force-refresh', 'get a new one even if the current one is still valid')
    .option('--json', 'print {access_token, expires_at}')
    .addHelpText('after', '\nExample:\n  curl -H "Authorization: Bearer $(latchkey token get)" http://127.0.0.1:8081/t/demo/metering/api/v1/usage')
    .action(async (opts: { forceRefresh?: boolean; json?: boolean }, cmd: Command) => {
      const value = await clientFor(cmd, io).getAccessToken({ forceRefresh: opts.forceRefresh });
      if (!opts.json) return void io.stdout.write(value + '\n');
      const exp = jwtExpiry(value);
      printJson(io, { access_token: value, token_type: 'Bearer', expires_at: exp === undefined ? null : new Date(exp).toISOString() });
    });
}
