import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { LatchkeyConfigError } from '../../errors.js';
import type { CliIO, CliState } from '../io.js';

/** src/cli/commands and dist/cli/commands are both three levels below the package root. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * How to start the server: LATCHKEY_SERVER_ENTRY if set; else the workspace's server sources through
 * tsx (always what is checked out); else its build; else an installed @latchkey/server.
 */
export function serverCommand(env: CliIO['env']): { args: string[]; entry: string } {
  const tsx = () => {
    try {
      return import.meta.resolve('tsx');
    } catch {
      return undefined;
    }
  };
  const run = (entry: string) => {
    if (!entry.endsWith('.ts')) return { args: [entry], entry };
    const loader = tsx();
    if (!loader) throw new LatchkeyConfigError(`cannot run ${entry}: tsx is not installed`);
    return { args: ['--import', loader, entry], entry };
  };
  if (env.LATCHKEY_SERVER_ENTRY) return run(path.resolve(env.LATCHKEY_SERVER_ENTRY));
  const workspace = path.resolve(PACKAGE_ROOT, '../server');
  const source = path.join(workspace, 'src/main.ts');
  if (existsSync(source) && tsx()) return run(source);
  const built = path.join(workspace, 'dist/main.js');
  if (existsSync(built)) return run(built);
  try {
    const installed = path.join(
      path.dirname(fileURLToPath(import.meta.resolve('@latchkey/server/package.json'))),
      'dist/main.js',
    );
    if (existsSync(installed)) return run(installed);
  } catch {
    /* not installed */
  }
  throw new LatchkeyConfigError(
    'cannot find the Latchkey server: set LATCHKEY_SERVER_ENTRY to its main.js (or main.ts)',
  );
}

export function registerServe(program: Command, io: CliIO, state: CliState): void {
  program
    .command('serve')
    .description('start the Latchkey authorization server in the foreground (Ctrl-C stops it)')
    .option('--port <port>', 'port to listen on (PORT, default 8080)')
    .option('--host <host>', 'address to listen on (HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'SQLite database and master key directory (LATCHKEY_DATA_DIR, default ./.latchkey)')
    .option('--public-url <url>', "external base URL, the issuers' prefix (PUBLIC_URL)")
    .addHelpText(
      'after',
      '\nEvery other server setting comes from the environment, which is passed through\n' +
        '(DATABASE_URL, LATCHKEY_MASTER_KEY, LATCHKEY_BOOTSTRAP_EMAIL, LOG_LEVEL, …; see the README).',
    )
    .action(async (opts: { port?: string; host?: string; dataDir?: string; publicUrl?: string }) => {
      const { args } = serverCommand(io.env);
      const env: Record<string, string | undefined> = { ...io.env };
      if (opts.port) env.PORT = opts.port;
      if (opts.host) env.HOST = opts.host;
      if (opts.dataDir) env.LATCHKEY_DATA_DIR = path.resolve(opts.dataDir);
      if (opts.publicUrl) env.PUBLIC_URL = opts.publicUrl;
      const child = spawn(process.execPath, args, { stdio: 'inherit', env });
      const forward = (signal: NodeJS.Signals) => () => {
        child.kill(signal);
      };
      const onInt = forward('SIGINT');
      const onTerm = forward('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      try {
        state.exitCode = await new Promise<number>((resolve, reject) => {
          child.once('error', reject);
          child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
        });
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
    });
}
