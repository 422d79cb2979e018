import type { Command } from 'commander';
import { clientFor, printJson, printTable, type CliIO } from '../io.js';

export function registerKeys(program: Command, io: CliIO): void {
  const keys = program
    .command('keys')
    .description("the domain's token-signing keys (domain managers): what the JWKS publishes, rotation on demand");

  keys
    .command('list')
    .description('list the published signing keys: next, active and retired ones')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const items = await clientFor(cmd, io).signingKeys.list();
      if (opts.json) return printJson(io, items);
      printTable(io, items, ['kid', 'status', 'createdAt', 'activatedAt', 'retiredAt', 'unpublishedAt']);
    });

  keys
    .command('rotate')
    .description('rotate now: the next key signs from now on, the previous one stays published until its tokens expire')
    .option(
      '--compromised',
      'after a suspected leak: every key leaves the JWKS at once and tokens signed before are refused (a fresh key signs)',
    )
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean; compromised?: boolean }, cmd: Command) => {
      const rotated = await clientFor(cmd, io).signingKeys.rotate({ compromised: opts.compromised });
      if (opts.json) return printJson(io, rotated);
      io.stdout.write(`New tokens are signed with key ${rotated.kid}.\n`);
      if (opts.compromised) io.stdout.write('Every previous key was unpublished: tokens signed before are refused.\n');
    });
}
