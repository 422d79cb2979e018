import type { Command } from 'commander';
import { LatchkeyConfigError } from '../../errors.js';
import { clientFor, collect, printJson, type CliIO } from '../io.js';

export function registerApi(program: Command, io: CliIO): void {
  const api = program.command('api').description('call an API with automatic authentication');
  api
    .command('get')
    .description(
      'GET a path of the API (--api-url, LATCHKEY_API_URL, default http://127.0.0.1:8081) or an absolute URL',
    )
    .argument('<path>', 'e.g. /t/{tenant}/metering/api/v1/usage ({tenant} is replaced) or https://…')
    .option('--query <key=value>', 'query parameter, repeatable', collect)
    .addHelpText(
      'after',
      '\nExamples:\n  latchkey api get /t/{tenant}/myservices/api/v1/serviceEntitlements\n' +
        '  latchkey api get http://127.0.0.1:8080/t/demo/api/v1/me',
    )
    .action(async (target: string, opts: { query?: string[] }, cmd: Command) => {
      const lk = clientFor(cmd, io);
      if (target.includes('{tenant}') && lk.tenant === undefined) {
        throw new LatchkeyConfigError(
          "{tenant} cannot be filled in: a tenant's own URL (LATCHKEY_URL or --url without a tenant) does not say its name; write the name in the path",
        );
      }
      const filled = target.replaceAll('{tenant}', encodeURIComponent(lk.tenant ?? ''));
      const url = /^https?:\/\//i.test(filled) ? filled : `${lk.apiUrl}/${filled.replace(/^\/+/, '')}`;
      const query: Record<string, string> = {};
      for (const pair of opts.query ?? []) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new LatchkeyConfigError(`--query needs key=value, got "${pair}"`);
        query[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const body = await lk.request(url, { query });
      if (body === undefined) return;
      if (typeof body === 'string') return void io.stdout.write(body.endsWith('\n') ? body : body + '\n');
      printJson(io, body);
    });
}
