import { invalid } from '../errors.js';

/**
 * Conditions on an external token's claims: `{claim: value}`, every one must hold.
 *
 * A value without `*` matches exactly that string. With `*`, it is a glob: each `*` stands for one
 * or more characters, none of them `/`, so a star never reaches into another path segment:
 * `refs/heads/release/*` matches `refs/heads/release/1.2` but neither `refs/heads/release/` nor
 * `refs/heads/release/1.2/hotfix`, and `octo-org/*` matches no repository of another owner. No other
 * character is special (`?`, `[`, `\` match themselves); `**` is refused, and a literal `*` cannot be
 * matched. Only top-level claims are looked at; a string claim is compared as it is, a number or a
 * boolean as its JSON text (`42`, `true`), and any other (an object, a list) never matches.
 */

/** Claims checked by other means than conditions: the issuer, the audience and the token's times. */
export const RESERVED_CLAIMS = ['iss', 'aud', 'exp', 'nbf', 'iat', 'jti'] as const;

const CLAIM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$/;
const MAX_VALUE = 500;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

export const isGlob = (value: string): boolean => value.includes('*');

/** Checks one condition as a manager writes it; throws `invalid` saying which rule it breaks. */
export function checkCondition(claim: string, value: unknown): string {
  if (!CLAIM_NAME.test(claim))
    throw invalid(`conditions: "${claim.slice(0, 100)}" is not a claim name (letters, digits, _ . : -; at most 100)`);
  if ((RESERVED_CLAIMS as readonly string[]).includes(claim))
    throw invalid(
      `conditions: ${claim} is not a condition (the issuer, audience, expiry and replay are checked on their own)`,
    );
  if (typeof value !== 'string') throw invalid(`conditions.${claim} must be a string (an exact value or a glob)`);
  if (value.length === 0 || value.length > MAX_VALUE)
    throw invalid(`conditions.${claim} must be 1-${MAX_VALUE} characters`);
  if (CONTROL.test(value)) throw invalid(`conditions.${claim} must not contain control characters`);
  if (value.includes('**'))
    throw invalid(`conditions.${claim}: "**" is not supported (a * matches within one path segment, never across "/")`);
  return value;
}

/** A claim as a condition compares it: strings as they are, numbers and booleans as JSON text; otherwise undefined. */
export function claimText(payload: Record<string, unknown>, claim: string): string | undefined {
  if (!Object.hasOwn(payload, claim)) return undefined;
  const v = payload[claim];
  if (typeof v === 'string') return v;
  if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') return JSON.stringify(v);
  return undefined;
}

type Token = { lit: string } | 'one' | 'any';

/** One segment of a pattern: each `*` becomes "one character" followed by "any run", so it never matches nothing. */
function tokens(segment: string): Token[] {
  const out: Token[] = [];
  for (const ch of segment) {
    if (ch === '*') out.push('one', 'any');
    else out.push({ lit: ch });
  }
  return out;
}

/**
 * Wildcard matching of one segment (no `/` on either side), iterative with one backtracking point:
 * O(pattern × value) at worst, never exponential, whatever the pattern.
 */
function segmentMatches(pattern: Token[], value: string[]): boolean {
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < value.length) {
    const t = pattern[p];
    if (p < pattern.length && (t === 'one' || (typeof t === 'object' && t.lit === value[v]))) {
      p++;
      v++;
    } else if (p < pattern.length && t === 'any') {
      starP = p++;
      starV = v;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === 'any') p++;
  return p === pattern.length;
}

/** Whether `value` matches the condition `pattern` (exact, or a glob as described above). */
export function matches(pattern: string, value: string): boolean {
  if (!isGlob(pattern)) return pattern === value;
  // `*` never matches `/`, so both split into the same number of segments, matched pairwise.
  const ps = pattern.split('/');
  const vs = value.split('/');
  if (ps.length !== vs.length) return false;
  return ps.every((seg, i) => segmentMatches(tokens(seg), Array.from(vs[i])));
}

/** The first condition a token's claims fail, and how; null when they all hold. */
export function failedCondition(
  conditions: Record<string, string>,
  payload: Record<string, unknown>,
): { claim: string; reason: 'missing' | 'mismatch' } | null {
  for (const [claim, pattern] of Object.entries(conditions)) {
    const value = claimText(payload, claim);
    if (value === undefined) return { claim, reason: 'missing' };
    if (!matches(pattern, value)) return { claim, reason: 'mismatch' };
  }
  return null;
}
