import { invalid, scopeRefused } from '../errors.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(' ').filter((s) => s.length > 0);
  for (const p of parts) if (!SCOPE_TOKEN.test(p)) throw invalid('scope contains invalid characters');
  return [...new Set(parts)];
}

/**
 * The granted scope: everything allowed when nothing was requested, else exactly what was asked
 * for, which must lie within what is allowed (scope may stay or narrow, never widen).
 */
export function grantScope(requested: string[] | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed].sort();
  const allowedSet = new Set(allowed);
  const extra = requested.filter((s) => !allowedSet.has(s));
  if (extra.length > 0) throw scopeRefused(`scope not allowed: ${extra.join(' ')}`);
  return [...requested].sort();
}

/**
 * What a client acting for a user may be granted: the user's scopes now, narrowed to the client's
 * registered scopes when it has any (a scoped personal client, a restricted public client); a client
 * with none registered acts with all of the user's. Roles lost since are lost here too.
 */
export function userScopesVia(client: { scopes: readonly string[] }, userScopes: readonly string[]): string[] {
  if (client.scopes.length === 0) return [...userScopes];
  const subset = new Set(client.scopes);
  return userScopes.filter((s) => subset.has(s));
}
