// Child processes of the bench: every server under test runs in its own process (its own core),
// and everything started here is stopped at the end, on error, on a signal and on the watchdog.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from './errors.js';
import { send } from './http.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export { BenchError };

export interface Proc {
  name: string;
  child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

const running = new Set<Proc>();

/**
 * Starts `node --import tsx <script>` (TypeScript through tsx, like the bench itself); a `.js`
 * script runs on plain node, with `nodeArgs` before it. `script` and tsx are found from `cwd`
 * (this checkout by default; another one runs its own code with its own node_modules).
 */
export function startNode(
  name: string,
  script: string,
  env: Record<string, string> = {},
  args: string[] = [],
  nodeArgs: string[] = [],
  cwd = ROOT,
): Proc {
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 40) lines.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(proc);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (err) => {
      lines.push(String(err));
      running.delete(proc);
      resolve('spawn error');
    });
  });
  const proc: Proc = {
    name,
    child,
    exited,
    tail: () => lines.join('\n'),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

/** Last resort, synchronous: used on process exit. */
function killAllNow(): void {
  for (const p of running) {
    try {
      p.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

let installed = false;
/**
 * Kills every child and runs `cleanup` (synchronous) on exit, on SIGINT/SIGTERM, and when the whole
 * run exceeds `timeoutSeconds`.
 */
export function installCleanup(timeoutSeconds: number, cleanup: () => void): void {
  if (installed) return;
  installed = true;
  const finish = () => {
    killAllNow();
    try {
      cleanup();
    } catch {
      /* best effort */
    }
  };
  process.on('exit', finish);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping child processes\n`);
      process.exit(130);
    });
  }
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nbench: gave up after ${timeoutSeconds} s (BENCH_TIMEOUT_SECONDS), stopping everything\n`);
    process.exit(2);
  }, timeoutSeconds * 1000);
  watchdog.unref();
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx; fails early, with the process's output, if the process dies. */
export async function waitForHttp(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died: number | string | undefined;
  void proc.exited.then((code) => {
    died = code;
  });
  let last = '';
  while (Date.now() < deadline) {
    if (died !== undefined) {
      throw new BenchError(`${proc.name} exited (${died}) before ${url} answered. Its last output:\n${proc.tail()}`);
    }
    try {
      const res = await send('GET', url, {}, undefined, 2000);
      if (res.status >= 200 && res.status < 300) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new BenchError(
    `${proc.name} did not answer ${url} within ${timeoutMs / 1000} s (last: ${last}). Its last output:\n${proc.tail()}`,
  );
}
