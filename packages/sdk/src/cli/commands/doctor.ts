import type { Command } from 'commander';
import { printJson, type CliIO, type CliState } from '../io.js';
import { looksLikeLatchkeySecret } from '../../lib/secret-format.js';

const KIND_WORDS = {
  client_secret: 'client secret',
  refresh_token: 'refresh token',
  session: 'console session id',
} as const;

/** Enough to recognise which secret it was, never enough to use it: the prefix and the last 4 characters. */
function masked(s: string): string {
  return s.length <= 12 ? '…' : `${s.slice(0, 6)}…${s.slice(-4)}`;
}

/**
 * `latchkey doctor [secret]`: offline, says whether a string is a well-formed Latchkey secret, of which
 * kind, and whether its checksum holds (so a scanner's hit or a pasted value can be checked without
 * sending it anywhere). Reads standard input when no secret is given (keeps it out of shell history).
 * Exit 0 for a well-formed secret, 1 otherwise.
 */
export function registerDoctor(program: Command, io: CliIO, state: CliState): void {
  program
    .command('doctor')
    .description(
      'offline: is this string a well-formed Latchkey secret (which kind, does its checksum hold)? reads stdin without an argument',
    )
    .argument('[secret]', 'the string to check (omit to read it from standard input)')
    .option('--json', 'print JSON')
    .action(async (arg: string | undefined, opts: { json?: boolean }) => {
      const value = (arg ?? (await io.readStdin())).trim();
      const shape = looksLikeLatchkeySecret(value);
      const wellFormed = shape !== null && shape.checksumValid !== false;
      if (!wellFormed) state.exitCode = 1;
      if (opts.json) {
        return printJson(io, {
          value: masked(value),
          wellFormed,
          kind: shape?.kind ?? null,
          format: shape?.format ?? null,
          checksumValid: shape?.checksumValid ?? null,
        });
      }
      if (!shape) {
        io.stdout.write(
          `${masked(value)}: not a Latchkey secret (expected lk_cs_, lk_rt_ or lk_ss_, 43 characters and a 6-character checksum)\n`,
        );
      } else if (shape.format === 'legacy') {
        io.stdout.write(
          `${masked(value)}: a Latchkey ${KIND_WORDS[shape.kind]} in the format issued before checksums (no checksum to check)\n`,
        );
      } else if (shape.checksumValid) {
        io.stdout.write(`${masked(value)}: a well-formed Latchkey ${KIND_WORDS[shape.kind]}; checksum valid\n`);
      } else {
        io.stdout.write(
          `${masked(value)}: shaped like a Latchkey ${KIND_WORDS[shape.kind]}, but the checksum does not hold (mistyped, truncated or a look-alike)\n`,
        );
      }
    });
}
