import path from 'node:path';

export interface Config {
  host: string;
  port: number;
  publicUrl: string;
  dataDir: string;
  databaseUrl?: string;
  masterKey?: string;
  bootstrapEmail?: string;
  bootstrapPassword?: string;
  logLevel: string;
  /** How often signing keys rotate (default 30 days). */
  keyRotationSeconds: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const host = env.HOST || '127.0.0.1';
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const publicUrl = (env.PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  return {
    host,
    port,
    publicUrl,
    dataDir: path.resolve(env.LATCHKEY_DATA_DIR || '.latchkey'),
    databaseUrl: env.DATABASE_URL || undefined,
    masterKey: env.LATCHKEY_MASTER_KEY || undefined,
    bootstrapEmail: env.LATCHKEY_BOOTSTRAP_EMAIL || undefined,
    bootstrapPassword: env.LATCHKEY_BOOTSTRAP_PASSWORD || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    keyRotationSeconds: Number(env.LATCHKEY_KEY_ROTATION_SECONDS || 30 * 86400),
  };
}
