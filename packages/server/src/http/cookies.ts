import type { Config } from '../config.js';

/**
 * Behind https (PUBLIC_URL), cookies are Secure and their names carry the `__Host-` prefix: a
 * browser then accepts them only Secure, host-only (no Domain) and with Path=/, so a sibling
 * subdomain or a plain-http page cannot plant or overwrite one. On plain http (local development)
 * the plain name is kept, since the prefix would make browsers refuse the cookie.
 */
export function secureCookies(config: Pick<Config, 'publicUrl'>): boolean {
  return config.publicUrl.startsWith('https:');
}

export function cookieName(config: Pick<Config, 'publicUrl'>, name: string): string {
  return secureCookies(config) ? `__Host-${name}` : name;
}
