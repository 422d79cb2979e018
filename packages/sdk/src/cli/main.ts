import { Command, CommanderError } from 'commander';
import { LatchkeyAuthError, LatchkeyConfigError, LatchkeyError } from '../errors.js';
import { redactShapes } from '../lib/redact.js';
import { VERSION } from '../lib/version.js';
import { processIO, type CliIO, type CliState } from './io.js';
import { registerServe } from './commands/serve.js';
import { registerLogin } from './commands/login.js';
import { registerClients } from './commands/clients.js';
import { registerApps } from './commands/apps.js';
import { registerToken } from './commands/token.js';
import { registerApi } from './commands/api.js';
import { registerKeys } from './commands/keys.js';
import { registerDoctor } from './commands/doctor.js';

/** Exit codes: 0 success, 1 the server refused (API or authentication error, unreachable), 2 usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const ENVIRONMENT = `
Credentials and settings: flags > environment > profile (config file) > defaults.
  LATCHKEY_URL            the server (default http://127.0.0.1:8080), or a tenant's own URL
                          (https://acme.id.example.com) with no tenant given
  LATCHKEY_TENANT         tenant under the server's URL: {url}/t/{tenant} (default demo, with the default URL)
  LATCHKEY_API_URL        API for \`latchkey api\` (default http://127.0.0.1:8081)
  LATCHKEY_CLIENT_ID      personal client or application id
  LATCHKEY_CLIENT_SECRET  its secret
  LATCHKEY_TOKEN_FILE     a .tok file (with the application's id and secret); rewritten on refresh
  LATCHKEY_EMAIL, LATCHKEY_PASSWORD   password sign-in
  LATCHKEY_PROFILE        profile name (default: the file's defaultProfile, else "default")
  LATCHKEY_CONFIG         config file (default $XDG_CONFIG_HOME/latchkey/config.json or ~/.config/latchkey/config.json)

Exit codes: 0 ok, 1 API or authentication error, 2 usage or configuration error.`;

export function buildProgram(io: CliIO, state: CliState): Command {
  const program = new Command('latchkey');
  program
    .description(
      'Latchkey command line: start the server, sign in, manage personal clients and applications, get tokens, call APIs',
    )
    .version(VERSION, '-V, --version')
    .option('--url <url>', "authorization server URL, or a tenant's own URL (LATCHKEY_URL)")
    .option('--tenant <tenant>', "tenant under the server's URL (LATCHKEY_TENANT)")
    .option('--api-url <url>', 'API base URL for `api` and the sample API (LATCHKEY_API_URL)')
    .option('--profile <name>', 'config file profile (LATCHKEY_PROFILE)')
    .option('--config <file>', 'config file (LATCHKEY_CONFIG)')
    .option('--client-id <id>', 'client id of a personal client or application (LATCHKEY_CLIENT_ID)')
    .option('--token-file <file>', "a .tok file to refresh with the application's id and secret (LATCHKEY_TOKEN_FILE)")
    .addHelpText('after', ENVIRONMENT)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError();
  registerServe(program, io, state);
  registerLogin(program, io);
  registerClients(program, io);
  registerApps(program, io);
  registerKeys(program, io);
  registerToken(program, io);
  registerApi(program, io);
  registerDoctor(program, io, state);
  return program;
}

function hint(err: LatchkeyError): string {
  if (err instanceof LatchkeyAuthError && err.error === 'invalid_grant' && err.grantType === 'refresh_token') {
    return '\nhint: the refresh token is no longer valid; run `latchkey login` again, or ask for a new .tok file';
  }
  if (err instanceof LatchkeyAuthError && err.status === 404) {
    return (
      '\nhint: no token endpoint at that address: check the tenant. A URL given without a tenant is taken as a' +
      " tenant's own URL (https://acme.id.example.com); a tenant under the server's URL needs --tenant (LATCHKEY_TENANT)"
    );
  }
  if (err instanceof LatchkeyAuthError && err.error === 'invalid_client')
    return '\nhint: check the client id and secret (LATCHKEY_CLIENT_ID, LATCHKEY_CLIENT_SECRET)';
  return '';
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const state: CliState = { exitCode: EXIT_OK };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed help, the version or the usage error.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT_OK;
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof LatchkeyConfigError) {
      io.stderr.write(`latchkey: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof LatchkeyError) {
      io.stderr.write(`latchkey: ${err.message}${hint(err)}\n`);
      return EXIT_FAILED;
    }
    io.stderr.write(`latchkey: unexpected error: ${redactShapes((err as Error)?.stack ?? String(err))}\n`);
    return EXIT_FAILED;
  }
}
