import type { ThrottlePolicy } from './policies.js';
import type { ThrottleStore } from './store.js';
import { throttleAddress } from './address.js';

const SEP = '\u0000';

/** Whole seconds from `now` until `until` (0 when it has passed). */
const seconds = (until: number, now: number): number => (until > now ? Math.ceil((until - now) / 1000) : 0);

interface Keys {
  pair: string;
  subject: string;
  address: string;
  known: string;
}

/**
 * Throttles failed attempts of one kind of credential (see ThrottlePolicy). `subject` names what
 * is being proven (an account, a client) and `address` where the attempt comes from (counted by
 * throttleAddress: IPv6 by its /64).
 */
export class CredentialThrottle {
  constructor(
    private readonly store: ThrottleStore,
    private readonly policy: ThrottlePolicy,
  ) {}

  private keys(subject: string, where: string): Keys {
    const p = this.policy.name;
    const address = throttleAddress(where);
    return {
      pair: `${p}:pair:${subject}${SEP}${address}`,
      subject: `${p}:subject:${subject}`,
      address: `${p}:address:${address}`,
      known: `${p}:known:${subject}${SEP}${address}`,
    };
  }

  /** Seconds to wait before `subject` may be tried again from `address`; 0 when allowed now. */
  async retryAfter(subject: string, address: string, now = Date.now()): Promise<number> {
    const k = this.keys(subject, address);
    const [pair, ofSubject, ofAddress] = await Promise.all([
      this.store.lockedUntil(k.pair, now),
      this.policy.subject ? this.store.lockedUntil(k.subject, now) : 0,
      this.store.lockedUntil(k.address, now),
    ]);
    return this.wait(pair, ofSubject, ofAddress, now) ?? this.waitUnlessKnown(k.known, pair, ofSubject, ofAddress, now);
  }

  /**
   * The wait these locks impose on any (subject, address); undefined when a lock that a known pair
   * is spared outlasts it, so whether the pair is known decides (waitUnlessKnown).
   */
  private wait(pair: number, ofSubject: number, ofAddress: number, now: number): number | undefined {
    const always = this.unspared(pair);
    if (this.sparable(pair, ofSubject, ofAddress) > Math.max(always, now)) return undefined;
    return seconds(always, now);
  }

  /** The lock a known (subject, address) is held to as well: its own pair's, unless the policy spares it. */
  private unspared(pair: number): number {
    return this.policy.knownSkipsPair ? 0 : pair;
  }

  /** The locks a known (subject, address) is spared. */
  private sparable(pair: number, ofSubject: number, ofAddress: number): number {
    return Math.max(this.policy.knownSkipsPair ? pair : 0, ofSubject, ofAddress);
  }

  private async waitUnlessKnown(
    known: string,
    pair: number,
    ofSubject: number,
    ofAddress: number,
    now: number,
  ): Promise<number> {
    if (this.policy.knownMs > 0 && (await this.store.knows(known, now))) return seconds(this.unspared(pair), now);
    return seconds(this.sparable(pair, ofSubject, ofAddress), now);
  }

  async fail(subject: string, address: string, now = Date.now()): Promise<void> {
    const k = this.keys(subject, address);
    await Promise.all([
      this.store.fail(k.pair, this.policy.pair, now),
      this.policy.subject ? this.store.fail(k.subject, this.policy.subject, now) : undefined,
      this.store.fail(k.address, this.policy.address, now),
    ]);
  }

  /**
   * The credential was right: its pair's failures are forgotten and the address becomes known for
   * the subject. The subject's and the address's counts stay, so a success does not reset the
   * budget of an attacker guessing elsewhere.
   */
  async succeed(subject: string, address: string, now = Date.now()): Promise<void> {
    const k = this.keys(subject, address);
    await this.store.clear(k.pair);
    if (this.policy.knownMs > 0) await this.store.remember(k.known, this.policy.knownMs, now);
  }
}

/** The throttles of a process: human passwords, client secrets and SSO sign-ins, each with its own policy. */
export interface Throttles {
  passwords: CredentialThrottle;
  clients: CredentialThrottle;
  /** SSO starts and unknown callbacks, per (tenant, address): see SSO_THROTTLE. */
  sso: CredentialThrottle;
  /** Wrong GitLab revocation tokens, per address: see GITLAB_TOKEN_THROTTLE. */
  gitlab: CredentialThrottle;
  /** Shared by both. */
  store: ThrottleStore;
}
