import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

// Runs in the worker: its own connection checkpoints the WAL (copying pages into the database
// file and fsyncing it), which would otherwise stall whichever request's commit crossed the
// auto-checkpoint threshold.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); process.exit(0); });
`;

/**
 * Moves SQLite WAL checkpoints off the event loop: a worker thread checkpoints every
 * `intervalMs`, and the serving connection only checkpoints itself as a safety net when the WAL
 * grows far beyond that (if the worker is gone).
 */
export function startCheckpointer(file: string, intervalMs = 1000): { stop(): Promise<void> } {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  worker.on('message', (m) => console.error(`sqlite checkpoint failed: ${m}`));
  worker.on('error', (err) => console.error('sqlite checkpointer stopped', err));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        if (worker.threadId === -1) return resolve();
        worker.ref(); // keep the event loop alive until the worker has closed its connection
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
      }),
  };
}
