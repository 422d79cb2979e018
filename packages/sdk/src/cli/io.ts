import type { Command } from 'commander';
import { Latchkey } from '../client.js';
import type { Env } from '../config.js';
import { CLI_WORDING } from './wording.js';

/** Where the CLI reads and writes; tests and embedding pass their own. */
export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Env;
  readStdin(): Promise<string>;
}

export const processIO: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** State an action hands back to main (serve's child exit code). */
export interface CliState {
  exitCode: number;
}

/** The options every command accepts (declared on the program). */
export interface GlobalOptions {
  url?: string;
  tenant?: string;
  apiUrl?: string;
  profile?: string;
  config?: string;
  clientId?: string;
  tokenFile?: string;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

/** A client from flags > environment > profile > defaults. */
export function clientFor(cmd: Command, io: CliIO): Latchkey {
  const o = globals(cmd);
  return new Latchkey({
    baseUrl: o.url,
    tenant: o.tenant,
    apiUrl: o.apiUrl,
    profile: o.profile,
    configPath: o.config,
    env: io.env,
    credentialFields: { clientId: o.clientId, tokenFile: o.tokenFile },
    wording: CLI_WORDING,
  });
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain aligned table (no colours: output is often piped). */
export function printTable<T extends object>(io: CliIO, rows: T[], columns: (keyof T & string)[]): void {
  if (rows.length === 0) {
    io.stdout.write('(none)\n');
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd() + '\n';
  io.stdout.write(line(columns.map((c) => c.toUpperCase())));
  for (const r of rows) io.stdout.write(line(columns.map((c) => cell(r[c]))));
}

/** Collects a repeatable, comma-separable option: `--scope a --scope b,c`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

export async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
