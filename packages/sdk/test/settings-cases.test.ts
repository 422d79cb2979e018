// The shared fixture of settings precedence and .tok files, run through the TypeScript SDK; the Python
// client's tests run the very same file (packages/python/tests/test_shared_fixtures.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenFileStore, resolveSettings, type SettingsInput, type TokenResponse } from '../src/index.js';

interface Fixture {
  settings: {
    name: string;
    files?: Record<string, unknown>;
    env: Record<string, string>;
    input: Record<string, unknown>;
    expect?: Record<string, unknown>;
    error?: string;
  }[];
  tokFiles: { name: string; content: string | null; expect?: Record<string, unknown>; error?: string }[];
  tokSave: {
    name: string;
    before: Record<string, unknown>;
    tokens: { refreshToken: string; accessToken: string };
    response: Record<string, unknown>;
    afterText: string;
  }[];
}

const fixture = JSON.parse(
  fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/settings-cases.json'), 'utf8'),
) as Fixture;

function scratch(t: { after(fn: () => void): void }): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-cases-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `${DIR}` replaced everywhere in a JSON value. */
function withDir<T>(value: T, dir: string): T {
  return JSON.parse(JSON.stringify(value).split('${DIR}').join(dir)) as T;
}

function writeFiles(dir: string, files: Record<string, unknown> = {}): void {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  }
}

for (const c of fixture.settings) {
  test(`settings: ${c.name}`, (t) => {
    const dir = scratch(t);
    writeFiles(dir, withDir(c.files ?? {}, dir));
    const env = withDir({ HOME: `${dir}/home`, ...c.env }, dir);
    const input = withDir(c.input, dir) as SettingsInput;
    const run = () => resolveSettings({ ...input, env });
    if (c.error !== undefined) {
      assert.throws(
        run,
        (e: unknown) =>
          (e as { code?: string }).code === 'ERR_LATCHKEY_CONFIG' && new RegExp(c.error!).test((e as Error).message),
      );
      return;
    }
    const s = run();
    const actual = JSON.parse(
      JSON.stringify({
        ...s,
        tenant: s.tenant ?? null,
        profile: s.profile ?? null,
        credentials: s.credentials ?? null,
      }),
    ) as Record<string, unknown>;
    assert.deepEqual(actual, withDir(c.expect, dir));
  });
}

for (const c of fixture.tokFiles) {
  test(`.tok file: ${c.name}`, async (t) => {
    const dir = scratch(t);
    const file = path.join(dir, 'app.tok');
    if (c.content !== null) fs.writeFileSync(file, c.content);
    const load = () => new TokenFileStore(file).load();
    if (c.error !== undefined) {
      await assert.rejects(
        load,
        (e: unknown) =>
          (e as { code?: string }).code === 'ERR_LATCHKEY_CONFIG' && new RegExp(c.error!).test((e as Error).message),
      );
      return;
    }
    const stored = await load();
    assert.deepEqual({ ...stored, clientId: stored.clientId ?? null }, c.expect);
  });
}

for (const c of fixture.tokSave) {
  test(`.tok rotation: ${c.name}`, async (t) => {
    const dir = scratch(t);
    const file = path.join(dir, 'app.tok');
    fs.writeFileSync(file, JSON.stringify(c.before), { mode: 0o644 });
    await new TokenFileStore(file).save(c.tokens, c.response as unknown as TokenResponse);
    assert.equal(fs.readFileSync(file, 'utf8'), c.afterText);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(dir), ['app.tok']);
  });
}
