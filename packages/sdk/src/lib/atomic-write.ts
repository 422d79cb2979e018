import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** Owner read/write only: token files and the config file hold secrets. */
export const SECRET_FILE_MODE = 0o600;

/**
 * Replaces `file` so that a reader (or a crash) sees either the old content or the new, never a torn
 * file: the data goes to a temporary file in the same directory (same file system, so rename is
 * atomic), is flushed to disk, then renamed over the target, and the directory entry is flushed too.
 * The file gets mode 0600 whatever the umask. A symlink is followed, so the link stays a link.
 */
export async function writeFileAtomic(file: string, data: string, mode = SECRET_FILE_MODE): Promise<void> {
  const target = await realpath(file).catch(() => path.resolve(file));
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    await fh.writeFile(data, 'utf8');
    await fh.chmod(mode);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await rename(tmp, target);
  } catch (err) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await syncDirectory(dir);
}

/** Makes the rename itself durable. Not every platform can open a directory; that is not an error. */
async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, constants.O_RDONLY);
    await fh.sync();
  } catch {
    /* best effort (Windows, some network file systems) */
  } finally {
    await fh?.close().catch(() => {});
  }
}
