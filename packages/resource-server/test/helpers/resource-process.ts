// Starts the sample API as a real process (src/main.ts through tsx), like an operator would.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, stopChild, waitUntilReady } from '../../../server/test/helpers/process.js';
import { until } from '../../../server/test/helpers/until.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const RESOURCE_ENTRY = path.join(ROOT, 'packages/resource-server/src/main.ts');

export interface ResourceProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** The JSON log lines with this msg. */
  logs(msg: string): Record<string, unknown>[];
  /**
   * The log lines with this msg once there are at least `count` (stdout is a pipe, read apart from
   * the HTTP answers: a line written before an answer may arrive after it).
   */
  waitForLogs(msg: string, count: number): Promise<Record<string, unknown>[]>;
  /**
   * Resolves once every line the process wrote before this call has been read: a request's own log
   * line (started with LOG_REQUESTS=1) comes through the pipe after them. How a test shows that no
   * further line came, instead of pausing.
   */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

function spawnResource(env: Record<string, string>, port: number): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', RESOURCE_ENTRY], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', NODE_ENV: 'test', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return { child, output: () => out };
}

/** Starts the sample API and waits for /healthz. */
export async function startResourceServer(env: Record<string, string>): Promise<ResourceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, output } = spawnResource(env, port);
  const stop = () => stopChild(child);
  await waitUntilReady(child, `${url}/healthz`, output, 'resource server');
  const logs = (msg: string) =>
    output()
      .split('\n')
      .flatMap((line) => {
        try {
          const o = JSON.parse(line) as Record<string, unknown>;
          return o.msg === msg ? [o] : [];
        } catch {
          return [];
        }
      });
  const waitForLogs = async (msg: string, count: number) => {
    const until = Date.now() + 3000;
    while (logs(msg).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return logs(msg);
  };
  let marks = 0;
  const caughtUp = async () => {
    if (env.LOG_REQUESTS !== '1') throw new Error('caughtUp() needs the sample API started with LOG_REQUESTS=1');
    const mark = `/healthz?mark=${++marks}`;
    assert.equal((await fetch(`${url}${mark}`)).status, 200);
    await until(
      `the log line of ${mark}`,
      () => logs('incoming request').some((l) => (l.req as { url?: string } | undefined)?.url === mark),
      3000,
    );
  };
  return { url, child, output, logs, waitForLogs, caughtUp, stop };
}

/** Runs the sample API expecting it to refuse to start; resolves with its exit code and output. */
export async function runUntilExit(
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = spawnResource(env, await freePort());
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output: output() };
}
