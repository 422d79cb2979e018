/**
 * A failure limit: `limit` failures within `windowMs` of each other lock the key for `lockMs`,
 * doubling with every further failure up to `maxLockMs`. Attempts refused while locked are not
 * counted, so a lock always ends.
 */
export interface ThrottleRule {
  limit: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
}

/**
 * How one kind of credential is throttled. Failures count per (subject, address), per subject from
 * every address (optional) and per address for every subject. A subject that succeeded from an
 * address recently is known there: the per-subject and per-address locks never apply to it, so an
 * attacker elsewhere, or sharing the owner's address, cannot lock the owner out.
 */
export interface ThrottlePolicy {
  /** Distinguishes the keys of one policy from another's in a shared store. */
  name: string;
  pair: ThrottleRule;
  subject?: ThrottleRule;
  address: ThrottleRule;
  /** Whether a known (subject, address) also skips the per-pair lock. */
  knownSkipsPair: boolean;
  /** How long a success keeps a (subject, address) known; 0: successes are not recorded, no pair is known. */
  knownMs: number;
}

const MINUTE = 60_000;
const rule = (limit: number): ThrottleRule => ({
  limit,
  windowMs: 15 * MINUTE,
  lockMs: 30_000,
  maxLockMs: 15 * MINUTE,
});

/**
 * Human passwords can be guessed, so the (account, address) lock holds for everyone, the owner
 * included; guesses spread over many addresses lock the account for addresses it never signed in
 * from; one address failing on many accounts is abuse.
 */
export const PASSWORD_THROTTLE: ThrottlePolicy = {
  name: 'password',
  pair: rule(5),
  subject: rule(20),
  address: rule(50),
  knownSkipsPair: false,
  knownMs: 30 * 24 * 60 * MINUTE,
};

/**
 * Client secrets are 256-bit random: guessing one is hopeless, so the throttle only limits abuse
 * and is never a way to lock an application out. Only failures count (oauth/client-auth.ts checks
 * the secret first, and a right one costs no throttle work), so no pair needs to be known, and a
 * `client_id` is never locked for every address.
 */
export const CLIENT_THROTTLE: ThrottlePolicy = {
  name: 'client',
  pair: rule(10),
  address: rule(100),
  knownSkipsPair: false,
  knownMs: 0,
};

/**
 * Single sign-on starts and callbacks: nothing secret is guessed there, but each start writes a
 * pending login and each callback costs a query, so an address that keeps starting sign-ins it never
 * finishes, or presents unknown states, is slowed down. Each start and each unknown callback counts
 * for (tenant, address) and for the address; a finished sign-in forgets the (tenant, address) count
 * and makes the address known for the tenant (spared the per-address lock), so people signing in,
 * retrying after a cancelled consent, or many of them behind one address, are not locked out.
 */
export const SSO_THROTTLE: ThrottlePolicy = {
  name: 'sso',
  pair: rule(30),
  address: rule(100),
  knownSkipsPair: false,
  knownMs: 30 * 24 * 60 * MINUTE,
};

/**
 * GitLab's revocation token (GITLAB_REVOCATION_TOKEN, at least 32 characters): guessing it is
 * hopeless, so the throttle limits abuse and never locks GitLab out: an address the token was
 * presented from rightly is known and spared.
 */
export const GITLAB_TOKEN_THROTTLE: ThrottlePolicy = {
  name: 'gitlab',
  pair: rule(10),
  address: rule(10),
  knownSkipsPair: true,
  knownMs: 30 * 24 * 60 * MINUTE,
};
