import { scopeRefused } from '../errors.js';
import { MAX_LENGTH } from '../limits.js';

// The one rule for scope names, those a resource defines and those a token request asks for:
// RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), at most MAX_LENGTH.scope characters.
const SCOPE_TOKEN = new RegExp(`^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,${MAX_LENGTH.scope}}$`);
export const SCOPE_RULE = `1-${MAX_LENGTH.scope} printable characters without spaces, quotes or backslashes`;

export const isScopeName = (s: string): boolean => SCOPE_TOKEN.test(s);

/** A token request's `scope`; a malformed one is refused as invalid_scope (RFC 6749 §5.2). */
export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(' ').filter((s) => s.length > 0);
  if (!parts.every(isScopeName)) throw scopeRefused(`scope must be names of ${SCOPE_RULE}, separated by spaces`);
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
