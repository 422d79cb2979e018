import cluster from 'node:cluster';
import { loadConfig, type Config } from './config.js';
import { runServer } from './server.js';
import { runWorkers } from './workers.js';
import { StartupError } from './startup-checks.js';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  // A setting that cannot work is refused before anything starts, in one line that names it.
  process.stderr.write(`Latchkey cannot start: ${(err as Error).message}\n`);
  process.exit(1);
}
try {
  if (config.workers > 1 && cluster.isPrimary) await runWorkers(config);
  else await runServer(config);
} catch (err) {
  if (!(err instanceof StartupError)) throw err;
  process.stderr.write(`Latchkey cannot start: ${err.message}\n`);
  process.exit(1);
}
