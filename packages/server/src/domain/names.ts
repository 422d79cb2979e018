import { invalid } from './errors.js';

// C0 and C1 controls (NUL, CR, LF, TAB, ESC…), the Unicode line and paragraph separators, and the
// bidirectional overrides that make a name read differently from what it is: names end up in logs,
// exports, terminals and the .tok file's name.
const CONTROL = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * The one rule for names people give things (clients, applications, resources, roles, tenants,
 * display names): trimmed, 1-`max` characters, no control characters.
 */
export function checkName(raw: string, max = 100, field = 'name'): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > max) throw invalid(`${field} must be 1-${max} characters`);
  if (CONTROL.test(name)) throw invalid(`${field} must not contain control characters (such as NUL, CR or LF)`);
  return name;
}

/** The same rule for a name given elsewhere (an identity provider's claim): the name, or undefined when it breaks the rule. */
export function acceptableName(raw: string, max = 100): string | undefined {
  const name = raw.trim();
  return name.length >= 1 && name.length <= max && !CONTROL.test(name) ? name : undefined;
}
