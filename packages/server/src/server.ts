import type { Config } from './config.js';
import { openStore, migrateToLatest, Store, StoreUnavailable, type OutageLog } from './store/index.js';
import { loadMasterKey } from './crypto/master-key.js';
import { buildServices } from './services.js';
import { buildApp } from './app.js';
import { bootstrap, bootstrapBanner } from './bootstrap.js';
import { startMaintenance } from './maintenance.js';
import { PgChangeListener } from './store/change-listener.js';
import { OutboxDispatcher } from './delivery/dispatcher.js';
import { smtpMailer } from './delivery/mailer.js';
import { clustered, offerWorkerMetrics } from './metrics-cluster.js';
import { checkDatabase, ensurePortFree, lockDataDir, portInUse } from './startup-checks.js';

const REVOCATION_READBACK_MS = 1000;
const ANNOUNCED_REVOCATION_READBACK_MS = 30_000;

/** One server process: the HTTP server, its caches and, on PostgreSQL, its change listener. */
export async function runServer(config: Config): Promise<void> {
  // What the operator can fix is refused before anything is migrated (a cluster worker's primary
  // checked its port and database already).
  if (!clustered()) {
    await ensurePortFree(config.host, config.port);
    if (config.databaseUrl) await checkDatabase(config.databaseUrl);
  }
  // Held until the process ends: released by the operating system, however it ends.
  const dataDirLock = config.databaseUrl ? undefined : lockDataDir(config.dataDir);
  // Reported through the app's logger once it exists; each outage once, however many requests it refuses.
  let outage: OutageLog = { down: (err) => console.warn(`the database is unreachable: ${err.message}`), up: () => {} };
  const handle = openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onOutage: { down: (err) => outage.down(err), up: (ms, failures) => outage.up(ms, failures) },
  });
  await migrateToLatest(handle.db);
  const store = new Store(handle.db, handle.dialect);
  const services = buildServices(config, store, loadMasterKey(config.masterKey, config.dataDir));
  services.metrics.collectProcessMetrics();
  if (handle.pool) services.metrics.watchPool(handle.pool);
  if (clustered()) offerWorkerMetrics(services.metrics.registry);
  const app = await buildApp(services, {
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'password', 'client_secret', 'refresh_token'],
    },
  });

  outage = {
    down: (err) =>
      app.log.warn(
        { err: err.message },
        'the database is unreachable; requests that need it are answered 503 with Retry-After until it is back',
      ),
    up: (downMs, failures) => app.log.warn({ downMs, failures }, 'the database answers again'),
  };
  store.feed.onListenerError((err) => app.log.error({ err }, 'a subscriber failed to apply a change'));

  // Several processes share one PostgreSQL database: each hears the others' changes.
  const listener = config.databaseUrl
    ? new PgChangeListener(config.databaseUrl, store.feed, {
        lost: (err) => {
          // Revocations may go unheard meanwhile: read them back every second until notifications resume.
          services.revokedTokens.setBackstop(REVOCATION_READBACK_MS);
          app.log.warn({ err: err?.message }, 'the change-notification connection was lost; reconnecting');
        },
        reconnected: () => {
          services.revokedTokens.setBackstop(ANNOUNCED_REVOCATION_READBACK_MS);
          app.log.warn('change notifications resumed; caches flushed');
        },
        failed: (err) => app.log.warn({ err: err.message }, 'could not reconnect for change notifications; retrying'),
      })
    : undefined;
  await listener?.start();
  // Every revocation is now announced (PostgreSQL: heard through the listener; SQLite: one process
  // makes them all), so reading the store back is only a backstop.
  services.revokedTokens.setBackstop(ANNOUNCED_REVOCATION_READBACK_MS);

  const boot = await bootstrap(store, config);
  // The generated password goes to the terminal once, never to the structured log.
  if (boot) process.stdout.write(bootstrapBanner(boot, config.publicUrl));

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    // Taken since the check above: the same one-line refusal.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(config.host, config.port);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  app.log.info(
    { url: `http://${config.host}:${port}`, publicUrl: config.publicUrl, database: handle.dialect },
    'Latchkey listening',
  );
  const stopMaintenance = startMaintenance(services);
  // Webhooks and emails queued by committed changes, this process's and others' (durable outbox).
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.smtpFrom) : undefined;
  const dispatcher = new OutboxDispatcher({
    store,
    sealer: services.sealer,
    outbound: services.outbound,
    clock: services.clock,
    mailer,
    publicUrl: config.publicUrl,
    // An outage is told once by the store; the outbox simply tries again on its next round.
    onError: (err) => {
      if (!(err instanceof StoreUnavailable)) app.log.error({ err }, 'outbox delivery failed');
    },
  });
  dispatcher.start();

  let closing = false;
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await stopMaintenance();
    await dispatcher.stop();
    mailer?.close();
    await services.outbound.close();
    await app.close();
    await listener?.stop();
    await services.usage.close();
    await services.federationUsage.close();
    await services.throttle.store.close?.();
    await handle.close();
    dataDirLock?.release();
    process.exit(0);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
