import path from 'node:path';
import type { Command } from 'commander';
import type { App, AppGrant, AppWithSecret } from '../../api/management.js';
import type { Latchkey } from '../../client.js';
import { LatchkeyApiError, LatchkeyConfigError } from '../../errors.js';
import { all, clientFor, collect, printJson, printTable, type CliIO } from '../io.js';
import { tenantEndpoints } from '../../tenant-url.js';
import { overlapOption, OVERLAP_HELP, overlapNote } from '../overlap.js';

const GRANTS: Record<string, AppGrant> = {
  client_credentials: 'client_credentials',
  refresh_token: 'refresh_token',
  'jwt-bearer': 'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:jwt-bearer': 'urn:ietf:params:oauth:grant-type:jwt-bearer',
};

const COLUMNS: (keyof App)[] = ['id', 'clientId', 'name', 'status', 'grantTypes', 'scopes'];

function showApp(io: CliIO, app: App | AppWithSecret, json: boolean | undefined, verb: string): void {
  if (json) return printJson(io, app);
  io.stdout.write(`${verb} application "${app.name}" (id ${app.id}), ${app.status}\n`);
  io.stdout.write(`client_id:     ${app.clientId}\n`);
  if ('clientSecret' in app) {
    io.stdout.write(`client_secret: ${app.clientSecret}\n`);
    io.stderr.write('The secret is shown only now: store it safely.\n');
  }
  io.stdout.write(`grants:        ${app.grantTypes.join(', ')}\nscopes:        ${app.scopes.join(' ') || '-'}\n`);
}

const APP_ARGUMENT = [
  '<app>',
  'the application: its id (as `apps list` shows it) or its client id (lk_app_…)',
] as const;

/**
 * The API addresses an application by its id; people hold its client id (the console, a .tok file,
 * their scripts): accept either, looking the client id up among the applications.
 */
async function appId(lk: Latchkey, ref: string): Promise<string> {
  if (!ref.startsWith('lk_app_')) return ref;
  for await (const app of lk.apps.iterate()) if (app.clientId === ref) return app.id;
  throw new LatchkeyApiError({
    status: 404,
    title: 'Not Found',
    detail: `no application of this tenant has the client id ${ref}`,
    method: 'GET',
    url: `${tenantEndpoints(lk.issuer).api}/apps`,
  });
}

export function registerApps(program: Command, io: CliIO): void {
  const apps = program.command('apps').description('confidential applications and their .tok files (domain managers)');

  apps
    .command('list')
    .description('list applications')
    .option('--status <status>', 'active or inactive')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: 'active' | 'inactive'; json?: boolean }, cmd: Command) => {
      const items = await all(clientFor(cmd, io).apps.iterate({ status: opts.status }));
      if (opts.json) return printJson(io, items);
      printTable(io, items, COLUMNS);
    });

  apps
    .command('get')
    .description('show one application')
    .argument(...APP_ARGUMENT)
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }, cmd: Command) => {
      const lk = clientFor(cmd, io);
      showApp(io, await lk.apps.get(await appId(lk, ref)), opts.json, 'Application');
    });

  apps
    .command('create')
    .description('create an application; its secret is printed this once')
    .requiredOption('--name <name>', 'its name')
    .option('--description <text>', 'what it is for')
    .option(
      '--grant <grant>',
      'allowed grant, repeatable or comma-separated: refresh_token, client_credentials, jwt-bearer (default refresh_token,client_credentials)',
      collect,
    )
    .option('--scope <scope>', 'allowed scope, repeatable or comma-separated', collect)
    .option('--json', 'print JSON (includes clientSecret)')
    .addHelpText(
      'after',
      '\nExample:\n  latchkey apps create --name "Billing export" --grant refresh_token --scope myservices,metering',
    )
    .action(
      async (
        opts: { name: string; description?: string; grant?: string[]; scope?: string[]; json?: boolean },
        cmd: Command,
      ) => {
        const grantTypes = (opts.grant ?? ['refresh_token', 'client_credentials']).map((g) => {
          const grant = GRANTS[g];
          if (!grant)
            throw new LatchkeyConfigError(`unknown grant "${g}": use ${Object.keys(GRANTS).slice(0, 3).join(', ')}`);
          return grant;
        });
        const app = await clientFor(cmd, io).apps.create({
          name: opts.name,
          description: opts.description,
          grantTypes,
          scopes: opts.scope ?? [],
        });
        showApp(io, app, opts.json, 'Created');
      },
    );

  apps
    .command('token')
    .description('generate an access token and a refresh token as a .tok file')
    .argument(...APP_ARGUMENT)
    .option('--out <file>', 'write the .tok file here (mode 0600); without it the document goes to stdout')
    .option('--scope <scope>', "scope, repeatable or comma-separated (default: all of the application's)", collect)
    .option('--no-refresh-token', 'only an access token')
    .option('--force', 'replace an existing --out file')
    .addHelpText(
      'after',
      "\nThe developer then refreshes with the application's id and secret:\n" +
        '  LATCHKEY_TOKEN_FILE=app.tok LATCHKEY_CLIENT_ID=… LATCHKEY_CLIENT_SECRET=… latchkey token get',
    )
    .action(
      async (
        ref: string,
        opts: { out?: string; scope?: string[]; refreshToken: boolean; force?: boolean },
        cmd: Command,
      ) => {
        const lk = clientFor(cmd, io);
        const doc = await lk.apps.generateTokens(await appId(lk, ref), {
          scopes: opts.scope,
          includeRefreshToken: opts.refreshToken,
          out: opts.out,
          overwrite: opts.force,
        });
        if (!opts.out) return printJson(io, doc);
        io.stdout.write(
          `Wrote ${path.resolve(opts.out)} (scope "${doc.scope ?? ''}"${doc.refresh_token ? ', with a refresh token' : ''}).\n`,
        );
      },
    );

  apps
    .command('rotate-secret')
    .description(
      'regenerate the secret, keeping the client id: the old one and every refresh token of the application stop working (at once, or when --overlap ends)',
    )
    .argument(...APP_ARGUMENT)
    .option('--overlap <duration>', OVERLAP_HELP, '0')
    .option('--json', 'print JSON (includes clientSecret)')
    .action(async (ref: string, opts: { overlap: string; json?: boolean }, cmd: Command) => {
      const overlapSeconds = overlapOption(opts.overlap);
      const lk = clientFor(cmd, io);
      const app = await lk.apps.rotateSecret(await appId(lk, ref), { overlapSeconds });
      showApp(io, app, opts.json, 'New secret for');
      if (!opts.json) io.stdout.write(`${overlapNote(app.previousSecretExpiresAt)}\n`);
    });

  for (const [name, verb, text] of [
    ['activate', 'Activated', 'reactivate: its refresh tokens work again'],
    ['deactivate', 'Deactivated', 'suspend: no grant succeeds until it is activated again'],
  ] as const) {
    apps
      .command(name)
      .description(text)
      .argument(...APP_ARGUMENT)
      .option('--json', 'print JSON')
      .action(async (ref: string, opts: { json?: boolean }, cmd: Command) => {
        const lk = clientFor(cmd, io);
        const id = await appId(lk, ref);
        const app = name === 'activate' ? await lk.apps.activate(id) : await lk.apps.deactivate(id);
        showApp(io, app, opts.json, verb);
      });
  }
}
