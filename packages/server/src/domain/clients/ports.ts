import type { Page, PageQuery } from '../paging.js';
import type { Client, ClientStatus } from './model.js';

/** One use of a client: when, and from where. */
export interface ClientUse {
  at: number;
  address: string | null;
  userAgent: string | null;
}

export interface ClientFilter {
  kind: 'app' | 'personal';
  ownerUserId?: string;
  ownerEmail?: string;
  nameContains?: string;
  /** active (usable now), expired, inactive (deactivated apps), revoked; default: all but revoked. */
  status?: 'active' | 'expired' | 'inactive' | 'revoked';
  createdFrom?: number;
  createdTo?: number;
  expiresFrom?: number;
  expiresTo?: number;
  /** Never-used clients fall outside any last-used range. */
  lastUsedFrom?: number;
  lastUsedTo?: number;
}

export interface ClientWithOwner extends Client {
  ownerEmail: string | null;
  ownerDisplayName: string | null;
}

/** `status` sorts as people see it: active, expired, inactive, revoked. */
export type ClientSort = 'name' | 'clientId' | 'owner' | 'createdAt' | 'expiresAt' | 'lastUsedAt' | 'status';
export type StaleSort = 'createdAt' | 'lastUsedAt' | 'expiresAt';

/** The stale-credentials conditions as instants (at least one of the three is set). */
export interface StaleCutoffs {
  now: number;
  kind?: 'personal' | 'app';
  neverUsed?: boolean;
  /** Unused since before this instant (never-used clients count from their creation). */
  unusedBefore?: number;
  /** Not yet expired, expiring at or before this instant. */
  expiringBefore?: number;
}

export interface ClientRecords {
  list(tenantId: string, f: ClientFilter, page: PageQuery<ClientSort>): Promise<Page<ClientWithOwner>>;
  /** Personal clients and applications, not revoked, matching ANY of the given conditions (stale.ts). */
  stale(tenantId: string, f: StaleCutoffs, page: PageQuery<StaleSort>): Promise<Page<ClientWithOwner>>;
  /** Live applications granted any of the scopes. */
  withAnyScope(tenantId: string, scopes: string[]): Promise<Client[]>;
  /** Clients that expired since the last sweep; each is returned once (marked as noted). */
  takeNewlyExpired(now: number): Promise<Client[]>;
  /**
   * Active personal clients that crossed an expiry-warning threshold not yet announced, each
   * returned once per threshold (compare-and-set, so several processes never announce twice).
   */
  takeExpiryWarnings(now: number, thresholdsDays: readonly number[]): Promise<Array<{ client: Client; days: number }>>;
  /** Personal clients of one owner that are not revoked (for name uniqueness and role-loss revocation). */
  liveOfOwner(tenantId: string, ownerUserId: string): Promise<Client[]>;
  update(
    tenantId: string,
    id: string,
    patch: { name?: string; description?: string; scopes?: string[]; grantTypes?: string[]; jwks?: Client['jwks'] },
  ): Promise<void>;
  insert(c: Client): Promise<void>;
  byClientId(tenantId: string, clientId: string): Promise<Client | undefined>;
  /**
   * The client whose current secret, or whose replaced secret still in its overlap, has this hash,
   * in whichever tenant (a leaked-secret report names none).
   */
  bySecretHash(secretHash: string, now?: number): Promise<Client | undefined>;
  byId(tenantId: string, id: string): Promise<Client | undefined>;
  setStatus(tenantId: string, id: string, status: ClientStatus, revokedBy?: string): Promise<void>;
  /**
   * A new current secret (its version one up). `previous`: the replaced secret keeps working until
   * `expiresAt` (an overlap); null: it stops now. Answers the new version.
   */
  setSecret(
    tenantId: string,
    id: string,
    secretHash: string,
    previous?: { hash: string; expiresAt: number } | null,
  ): Promise<number>;
  /** Clients whose overlap is over and not yet ended (at most a batch per call). */
  withEndedOverlap(now: number): Promise<Client[]>;
  /**
   * Forgets the replaced secret; with `expiresAt`, only if the overlap is still that one (compare-and-set,
   * so of several processes one ends it). Whether this call did.
   */
  clearPreviousSecret(tenantId: string, id: string, expiresAt?: number): Promise<boolean>;
  /** Records usage; first use is set once, last use only moves forward. Returns ids used for the first time. */
  recordUsage(usage: Map<string, ClientUse>): Promise<string[]>;
}
