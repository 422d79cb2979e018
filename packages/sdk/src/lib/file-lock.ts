import { constants } from 'node:fs';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LatchkeyTokenStoreError } from '../errors.js';

export interface LockOptions {
  /** Give up waiting after this long (default 60 s, longer than one token request). */
  timeoutMs?: number;
  /** A lock older than this is abandoned (default 120 s). */
  staleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` while holding `${file}.lock`, created exclusively (O_EXCL), so that two processes sharing
 * a token file never spend the same refresh token (the server would see a reuse and revoke the whole
 * grant). A lock left by a process that died (same host, pid gone) or older than `staleMs` is broken.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const staleMs = options.staleMs ?? 120_000;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      const fh = await open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
      await fh.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new LatchkeyTokenStoreError(`cannot create the lock file ${lock}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    if (await isStale(lock, staleMs)) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new LatchkeyTokenStoreError(
        `timed out waiting for the lock ${lock}; if no latchkey process is running, delete it`,
      );
    }
    await sleep(delay);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true }).catch(() => {});
  }
}

async function isStale(lock: string, staleMs: number): Promise<boolean> {
  try {
    const info = await stat(lock);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const holder = JSON.parse(await readFile(lock, 'utf8')) as { pid?: unknown; host?: unknown };
    if (holder.host !== hostname() || typeof holder.pid !== 'number' || holder.pid === process.pid) return false;
    try {
      process.kill(holder.pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // Vanished (released) or half-written by its creator: not stale, look again shortly.
    return false;
  }
}
