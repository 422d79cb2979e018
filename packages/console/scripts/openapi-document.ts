// The server's OpenAPI document, taken from the app itself (no port, no running server): the app is
// built on a throwaway SQLite store and asked for the document its route schemas produce.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/src/config.js';
import { openStore, migrateToLatest, Store } from '../../server/src/store/index.js';
import { buildServices } from '../../server/src/services.js';
import { buildApp } from '../../server/src/app.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-openapi-'));
  const config = loadConfig({ LATCHKEY_DATA_DIR: dataDir, PUBLIC_URL: 'http://127.0.0.1:8080' });
  const handle = openStore({ dataDir: config.dataDir });
  try {
    await migrateToLatest(handle.db);
    const services = buildServices(config, new Store(handle.db, handle.dialect), randomBytes(32));
    const app = await buildApp(services);
    await app.ready();
    const doc = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    await services.usage.close();
    return doc;
  } finally {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
