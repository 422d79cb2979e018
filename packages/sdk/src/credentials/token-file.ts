import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LatchkeyConfigError } from '../errors.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import { withFileLock } from '../lib/file-lock.js';
import type { TokenResponse } from '../lib/token-endpoint.js';
import { RefreshTokenSource, type StoredTokens, type TokenStore } from './refresh-token.js';
import type { GrantContext } from './types.js';

/** The `.tok` document: these two fields are required, any others are kept as they are. */
export interface TokFile {
  app_access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  client_id?: string;
  token_endpoint?: string;
  [extra: string]: unknown;
}

export interface TokenFileCredentials {
  /** Path of the `.tok` file; it is rewritten (atomically, mode 0600) on every refresh. */
  tokenFile: string;
  /** The application's client id; defaults to the file's `client_id`. */
  clientId?: string;
  /** The application's client secret. */
  clientSecret: string;
}

/** Reads and validates a `.tok` file. */
export async function readTokFile(file: string): Promise<TokFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new LatchkeyConfigError(
      `cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new LatchkeyConfigError(`the token file ${file} is not JSON`);
  }
  const d = doc as Partial<TokFile> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d))
    throw new LatchkeyConfigError(`the token file ${file} must hold a JSON object`);
  for (const field of ['app_access_token', 'refresh_token'] as const) {
    if (typeof d[field] !== 'string' || d[field] === '')
      throw new LatchkeyConfigError(`the token file ${file} has no ${field}`);
  }
  return d as TokFile;
}

/** Writes a `.tok` document atomically with mode 0600. */
export async function writeTokFile(file: string, doc: TokFile | Record<string, unknown>): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
}

/** A `.tok` file as a token store: locked across processes, rewritten atomically, extra fields kept. */
export class TokenFileStore implements TokenStore {
  readonly file: string;
  readonly description: string;

  constructor(file: string) {
    this.file = path.resolve(file);
    this.description = `token file ${this.file}`;
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.file, fn);
  }

  async load(): Promise<StoredTokens> {
    const doc = await readTokFile(this.file);
    return {
      refreshToken: doc.refresh_token,
      accessToken: doc.app_access_token,
      clientId: typeof doc.client_id === 'string' ? doc.client_id : undefined,
    };
  }

  async save(tokens: StoredTokens, response: TokenResponse): Promise<void> {
    // Re-read under the lock so fields someone added by hand survive.
    const doc = await readTokFile(this.file);
    const next: TokFile = {
      ...doc,
      app_access_token: tokens.accessToken ?? doc.app_access_token,
      refresh_token: tokens.refreshToken,
    };
    if (response.token_type !== undefined) next.token_type = response.token_type;
    if (response.expires_in !== undefined) next.expires_in = response.expires_in;
    if (response.scope !== undefined) next.scope = response.scope;
    await writeTokFile(this.file, next);
  }
}

/** The refresh_token grant with an application's id and secret (HTTP Basic) over a `.tok` file. */
export function tokenFileSource(ctx: GrantContext, credentials: TokenFileCredentials): RefreshTokenSource {
  return new RefreshTokenSource(ctx, {
    kind: 'token_file',
    store: new TokenFileStore(credentials.tokenFile),
    clientId: credentials.clientId,
    clientSecret: credentials.clientSecret,
    publicFallback: false,
  });
}
