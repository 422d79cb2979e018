import type { Command } from 'commander';
import { LatchkeyApiError, LatchkeyConfigError } from '../../errors.js';
import type { PersonalClient, PersonalClientStatus, StaleQuery } from '../../api/management.js';
import { all, clientFor, collect, printJson, printTable, type CliIO } from '../io.js';
import { parseExpiresAt } from '../../lib/expires-at.js';
import { overlapOption, OVERLAP_HELP, overlapNote } from '../overlap.js';
import { tenantEndpoints } from '../../tenant-url.js';

const DAY = 86_400_000;
const ALL = 'all (your permissions)';

/** Scopes as people read them: the subset, or that the client acts with all of the owner's permissions. */
const scopesText = (scopes: string[] | null) => (scopes === null ? ALL : scopes.join(' '));

export function registerClients(program: Command, io: CliIO): void {
  const clients = program
    .command('clients')
    .description(
      'your personal OAuth2 clients: a client id and secret that act with your permissions (for scripts and the SDK)',
    );

  clients
    .command('list')
    .description('list your personal clients')
    .option('--status <status>', 'active, expired or revoked')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: PersonalClientStatus; json?: boolean }, cmd: Command) => {
      const items = await all(clientFor(cmd, io).clients.iterate({ status: opts.status }));
      if (opts.json) return printJson(io, items);
      printTable(
        io,
        items.map((c) => ({ ...c, scopes: scopesText(c.scopes) })),
        ['id', 'clientId', 'name', 'status', 'scopes', 'expiresAt', 'lastUsedAt'],
      );
    });

  clients
    .command('show')
    .alias('get')
    .description('show one of your personal clients')
    .argument('<id>', 'its id or its client id (see `latchkey clients list`)')
    .option('--json', 'print JSON')
    .action(async (idOrClientId: string, opts: { json?: boolean }, cmd: Command) => {
      const c = await findOwn(cmd, idOrClientId, 'GET');
      if (opts.json) return printJson(io, c);
      const rows: Array<[string, string | null]> = [
        ['id', c.id],
        ['client_id', c.clientId],
        ['name', c.name],
        ['status', c.status],
        ['scopes', scopesText(c.scopes)],
        ['created', c.createdAt],
        ['expires', c.expiresAt],
        ['last used', c.lastUsedAt ?? 'never'],
        ['from', c.lastUsedAddress],
        ['agent', c.lastUsedUserAgent],
        ['revoked', c.revokedAt],
      ];
      for (const [k, v] of rows) if (v !== null) io.stdout.write(`${(k + ':').padEnd(11)}${v}\n`);
    });

  clients
    .command('create')
    .description('create a personal client; its secret is printed this once')
    .requiredOption('--name <name>', 'a name to recognise it by')
    .option('--expires <date>', 'expiry: a date (YYYY-MM-DD, the end of that day UTC) or an ISO 8601 date-time')
    .option('--days <days>', 'expiry in days from now (default 90)')
    .option(
      '--scope <scope...>',
      'only these of your scopes (repeatable or comma-separated; default: all your permissions)',
      collect,
    )
    .option('--json', 'print JSON (includes clientSecret)')
    .addHelpText(
      'after',
      '\nExamples:\n  latchkey clients create --name ci --days 30 --json | jq -r .clientSecret\n  latchkey clients create --name reports --scope metering',
    )
    .action(
      async (
        opts: { name: string; expires?: string; days?: string; scope?: string[]; json?: boolean },
        cmd: Command,
      ) => {
        if (opts.expires && opts.days) throw new LatchkeyConfigError('use --expires or --days, not both');
        let expiresAt: Date;
        if (opts.expires) {
          expiresAt = new Date(parseExpiresAt(opts.expires));
          if (Number.isNaN(expiresAt.getTime())) {
            throw new LatchkeyConfigError(
              `--expires must be an ISO 8601 date (YYYY-MM-DD, the end of that day UTC) or date-time with a time zone, got "${opts.expires}"`,
            );
          }
        } else {
          const days = Number(opts.days ?? 90);
          if (!Number.isFinite(days) || days <= 0)
            throw new LatchkeyConfigError(`--days must be a positive number, got "${opts.days}"`);
          expiresAt = new Date(Date.now() + days * DAY);
        }
        if (opts.scope && opts.scope.length === 0) throw new LatchkeyConfigError('--scope needs at least one scope');
        const created = await clientFor(cmd, io).clients.create({ name: opts.name, expiresAt, scopes: opts.scope });
        if (opts.json) return printJson(io, created);
        io.stdout.write(
          `Created personal client "${created.name}" (id ${created.id}), expires ${created.expiresAt}\n` +
            `scopes:        ${scopesText(created.scopes)}\n` +
            `client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\n`,
        );
        io.stderr.write(
          'The secret is shown only now: store it safely (e.g. as LATCHKEY_CLIENT_ID and LATCHKEY_CLIENT_SECRET).\n',
        );
      },
    );

  clients
    .command('rotate')
    .description(
      'give one of your personal clients a new secret, keeping its client id; the new secret is printed this once',
    )
    .argument('<id>', 'its id or its client id (see `latchkey clients list`)')
    .option('--overlap <duration>', OVERLAP_HELP, '0')
    .option('--json', 'print JSON (includes clientSecret)')
    .addHelpText(
      'after',
      '\nExamples:\n  latchkey clients rotate lk_pc_… --overlap 1h\n  latchkey clients rotate lk_pc_… --json | jq -r .clientSecret',
    )
    .action(async (idOrClientId: string, opts: { overlap: string; json?: boolean }, cmd: Command) => {
      const overlapSeconds = overlapOption(opts.overlap);
      const match = await findOwn(cmd, idOrClientId, 'POST');
      const rotated = await clientFor(cmd, io).clients.rotate(match.id, { overlapSeconds });
      if (opts.json) return printJson(io, rotated);
      io.stdout.write(
        `New secret for personal client "${rotated.name}" (id ${rotated.id}); the client id is unchanged\n` +
          `client_id:     ${rotated.clientId}\nclient_secret: ${rotated.clientSecret}\n` +
          `${overlapNote(rotated.previousSecretExpiresAt)}\n`,
      );
      io.stderr.write('The secret is shown only now: store it safely, and replace the old one where it is used.\n');
    });

  clients
    .command('stale')
    .description(
      'domain managers: personal clients and applications never used, unused for N days, or expiring within N days (any of the conditions given)',
    )
    .option('--never-used', 'never used since created')
    .option('--unused-days <days>', 'not used for at least this many days (never-used ones count from their creation)')
    .option('--expiring-days <days>', 'not yet expired, expiring within this many days')
    .option('--kind <kind>', 'personal or app (default: both)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  latchkey clients stale --unused-days 90\n  latchkey clients stale --never-used --expiring-days 14 --kind personal',
    )
    .action(
      async (
        opts: { neverUsed?: boolean; unusedDays?: string; expiringDays?: string; kind?: string; json?: boolean },
        cmd: Command,
      ) => {
        const days = (v: string | undefined, flag: string) => {
          if (v === undefined) return undefined;
          if (!/^\d+$/.test(v)) throw new LatchkeyConfigError(`${flag} must be a whole number of days, got "${v}"`);
          return Number(v);
        };
        const query: Omit<StaleQuery, 'cursor'> = {
          neverUsed: opts.neverUsed || undefined,
          unusedDays: days(opts.unusedDays, '--unused-days'),
          expiringWithinDays: days(opts.expiringDays, '--expiring-days'),
        };
        if (opts.kind !== undefined) {
          if (opts.kind !== 'personal' && opts.kind !== 'app')
            throw new LatchkeyConfigError(`--kind must be personal or app, got "${opts.kind}"`);
          query.kind = opts.kind;
        }
        if (!query.neverUsed && query.unusedDays === undefined && query.expiringWithinDays === undefined) {
          throw new LatchkeyConfigError(
            'say what makes a credential stale: --never-used, --unused-days N and/or --expiring-days N',
          );
        }
        const items = await all(clientFor(cmd, io).staleCredentials.iterate(query));
        if (opts.json) return printJson(io, items);
        printTable(
          io,
          items.map((c) => ({
            ...c,
            owner: c.owner?.email ?? '(application)',
            lastUsedAt: c.lastUsedAt ?? 'never',
            expiresAt: c.expiresAt ?? 'never',
            reasons: c.reasons.join(','),
          })),
          ['kind', 'clientId', 'name', 'owner', 'lastUsedAt', 'lastUsedAddress', 'expiresAt', 'reasons'],
        );
      },
    );

  clients
    .command('delete')
    .alias('revoke')
    .description('revoke one of your personal clients immediately')
    .argument('<id>', 'its id or its client id (see `latchkey clients list`)')
    .action(async (idOrClientId: string, _opts: unknown, cmd: Command) => {
      const match = await findOwn(cmd, idOrClientId, 'DELETE');
      await clientFor(cmd, io).clients.delete(match.id);
      io.stdout.write(`Revoked personal client "${match.name}" (${match.clientId}).\n`);
    });

  /** One of the caller's clients by record id or client id (a 404 names what was asked for). */
  async function findOwn(cmd: Command, idOrClientId: string, method: string): Promise<PersonalClient> {
    const lk = clientFor(cmd, io);
    const match = (await all(lk.clients.iterate())).find((c) => c.id === idOrClientId || c.clientId === idOrClientId);
    if (!match) {
      throw new LatchkeyApiError({
        status: 404,
        title: 'Not Found',
        detail: `you have no personal client "${idOrClientId}"`,
        method,
        url: `${tenantEndpoints(lk.issuer).api}/me/oauth2-clients`,
      });
    }
    return match;
  }
}
