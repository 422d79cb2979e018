import cluster, { type Worker } from 'node:cluster';
import type { Config } from './config.js';
import { openStore, migrateToLatest, Store } from './store/index.js';
import { loadMasterKey } from './crypto/master-key.js';
import { bootstrap, bootstrapBanner } from './bootstrap.js';
import { answerClusterMetrics } from './metrics-cluster.js';
import { checkDatabase, ensurePortFree } from './startup-checks.js';

const RESTART_DELAY_MS = 1000;

const log = (level: 'info' | 'warn', msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    JSON.stringify({
      level: level === 'info' ? 30 : 40,
      time: Date.now(),
      pid: process.pid,
      role: 'primary',
      ...extra,
      msg,
    }) + '\n',
  );

/**
 * LATCHKEY_WORKERS=N: this process prepares the store once (schema, first tenant, the master key
 * file when there is no LATCHKEY_MASTER_KEY), so the workers never race for it, then runs N server
 * processes sharing the listening port (node:cluster). Each worker is a full server with its own
 * caches, learning of the others' changes through PostgreSQL like separate machines do. A worker
 * that dies is replaced; SIGTERM or SIGINT stops them all.
 */
export async function runWorkers(config: Config): Promise<void> {
  // The workers share this port through the primary: it is checked here, once, before migrating.
  await ensurePortFree(config.host, config.port);
  // More than one worker needs PostgreSQL (config.ts).
  if (config.databaseUrl) await checkDatabase(config.databaseUrl);
  const handle = openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    loadMasterKey(config.masterKey, config.dataDir);
    const boot = await bootstrap(new Store(handle.db, handle.dialect), config);
    if (boot) process.stdout.write(bootstrapBanner(boot, config.publicUrl));
  } finally {
    await handle.close();
  }

  answerClusterMetrics();
  let stopping = false;
  const start = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log('warn', 'a worker stopped; starting another', { worker: worker.id, code, signal });
    setTimeout(() => {
      if (!stopping) start();
    }, RESTART_DELAY_MS);
  });
  for (let i = 0; i < config.workers; i++) start();
  log('info', 'Latchkey workers started', { workers: config.workers });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping workers', { signal });
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w.once('exit', () => {
        if (--left === 0) process.exit(0);
      });
      w.process.kill('SIGTERM');
    }
    // A worker that does not finish its shutdown is ended.
    setTimeout(() => {
      for (const w of workers) w.process.kill('SIGKILL');
      process.exit(1);
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
