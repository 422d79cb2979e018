import { randomBytes } from 'node:crypto';
import type { Store } from './store/index.js';
import type { Config } from './config.js';
import { provisionTenant } from './domain/tenants/provision.js';
import { DomainError } from './domain/errors.js';
import { SYSTEM } from './domain/audit/actor.js';

export const DEFAULT_BOOTSTRAP_EMAIL = 'admin@demo.latchkey.local';

export interface BootstrapResult {
  email: string;
  /** Only set when the password was generated here, so it can be shown once. */
  generatedPassword?: string;
}

/**
 * On an empty store: the tenant `demo` (enterprise features on) and one account that is both the
 * platform administrator and demo's domain manager, holding every built-in role. Does nothing when
 * any tenant exists, so it is safe on every start and from several processes at once.
 */
export async function bootstrap(store: Store, config: Config): Promise<BootstrapResult | null> {
  if ((await store.tenants.count()) > 0) return null;
  const email = config.bootstrapEmail ?? DEFAULT_BOOTSTRAP_EMAIL;
  const generatedPassword = config.bootstrapPassword ? undefined : randomBytes(18).toString('base64url');
  const password = config.bootstrapPassword ?? generatedPassword!;
  try {
    // One transaction: a refused account (say, a too-short password) leaves no tenant behind,
    // so the next start bootstraps again instead of skipping a store nobody can sign in to.
    await provisionTenant(
      store,
      { slug: 'demo', name: 'Demo', enterpriseEnabled: true },
      { email, displayName: 'Administrator', password, platformAdmin: true },
      SYSTEM,
    );
  } catch (err) {
    // Another process bootstrapped first.
    if (err instanceof DomainError && err.code === 'conflict') return null;
    throw err;
  }
  return { email, generatedPassword };
}

export function bootstrapBanner(r: BootstrapResult, publicUrl: string): string {
  const lines = [
    '',
    '  Latchkey is initialised. Platform administrator and domain manager of tenant "demo":',
    `    email:    ${r.email}`,
    r.generatedPassword
      ? `    password: ${r.generatedPassword}   (shown only this once)`
      : '    password: from LATCHKEY_BOOTSTRAP_PASSWORD',
    `    console:  ${publicUrl}/console/t/demo/`,
    `    token:    ${publicUrl}/t/demo/oauth2/v1/token`,
    '',
  ];
  return lines.join('\n') + '\n';
}
