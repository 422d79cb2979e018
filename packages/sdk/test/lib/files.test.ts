import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../../src/lib/atomic-write.js';
import { withFileLock } from '../../src/lib/file-lock.js';
import { readTokFile } from '../../src/credentials/token-file.js';
import { LatchkeyConfigError, LatchkeyTokenStoreError } from '../../src/index.js';

function scratch(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-files-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('atomic write: mode 0600 whatever the old mode and umask, content replaced, no temp file left', async (t) => {
  const dir = scratch(t);
  const file = path.join(dir, 'app.tok');
  fs.writeFileSync(file, 'old', { mode: 0o644 });
  const umask = process.umask(0o000);
  try {
    await writeFileAtomic(file, 'new');
  } finally {
    process.umask(umask);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'new');
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir), ['app.tok']);
});

test('atomic write follows a symlink and keeps it', async (t) => {
  const dir = scratch(t);
  fs.mkdirSync(path.join(dir, 'real'));
  const real = path.join(dir, 'real', 'app.tok');
  fs.writeFileSync(real, 'old');
  const link = path.join(dir, 'app.tok');
  fs.symlinkSync(real, link);
  await writeFileAtomic(link, 'new');
  assert.ok(fs.lstatSync(link).isSymbolicLink());
  assert.equal(fs.readFileSync(real, 'utf8'), 'new');
});

test('a failed atomic write leaves the old file intact and no temp file', async (t) => {
  const dir = scratch(t);
  const file = path.join(dir, 'app.tok');
  fs.writeFileSync(file, 'old');
  // Renaming a file over a non-empty directory fails after the temp file was written.
  const target = path.join(dir, 'dir.tok');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'x'), 'x');
  await assert.rejects(writeFileAtomic(target, 'new'));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['app.tok', 'dir.tok']);
  assert.equal(fs.readFileSync(file, 'utf8'), 'old');
});

test('the file lock serialises holders and is removed afterwards', async (t) => {
  const dir = scratch(t);
  const file = path.join(dir, 'app.tok');
  const order: string[] = [];
  const hold = (name: string) =>
    withFileLock(file, async () => {
      order.push(`${name}:in`);
      await new Promise((r) => setTimeout(r, 30));
      order.push(`${name}:out`);
    });
  await Promise.all([hold('a'), hold('b'), hold('c')]);
  for (let i = 0; i < order.length; i += 2) assert.equal(order[i]!.split(':')[0], order[i + 1]!.split(':')[0]);
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('a lock left by a dead process is broken; a live one times out with a clear error', async (t) => {
  const dir = scratch(t);
  const file = path.join(dir, 'app.tok');
  fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), at: Date.now() }));
  assert.equal(await withFileLock(file, async () => 'got it'), 'got it');
  fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: process.ppid, host: os.hostname(), at: Date.now() }));
  await assert.rejects(
    withFileLock(file, async () => 'never', { timeoutMs: 100 }),
    (e: unknown) => e instanceof LatchkeyTokenStoreError && /timed out waiting for the lock/.test((e as Error).message),
  );
});

test('a .tok file must be a JSON object with app_access_token and refresh_token', async (t) => {
  const dir = scratch(t);
  const write = (content: string) => {
    const f = path.join(dir, `${Math.random()}.tok`);
    fs.writeFileSync(f, content);
    return f;
  };
  await assert.rejects(
    readTokFile(path.join(dir, 'missing.tok')),
    (e: unknown) => e instanceof LatchkeyConfigError && /ENOENT/.test((e as Error).message),
  );
  await assert.rejects(readTokFile(write('nope')), /is not JSON/);
  await assert.rejects(readTokFile(write('[]')), /JSON object/);
  await assert.rejects(readTokFile(write('{"app_access_token":"a"}')), /has no refresh_token/);
  const ok = await readTokFile(write('{"app_access_token":"a","refresh_token":"r","note":"kept"}'));
  assert.equal(ok.note, 'kept');
});
