/**
 * What a write changed, recorded by the use-case inside its transaction and announced once the
 * transaction has committed (never when it rolls back): caches and the revocation list of every
 * process learn of it instead of being cleared by hand.
 */
export type Change =
  | { type: 'tenant.changed'; tenantId: string; slug: string }
  /** A client's row changed (status, secret, scopes, …); `clientId` is the public client_id. */
  | { type: 'client.changed'; tenantId: string; clientId: string }
  /** A user's status, roles or password changed; without `userId`, every user of the tenant (a role changed). */
  | { type: 'principal.changed'; tenantId: string; userId?: string }
  | { type: 'resource.changed'; tenantId: string }
  | { type: 'keys.rotated'; tenantId: string }
  /** An identity provider was changed or deleted: processes drop its discovered configuration. */
  | { type: 'idp.changed'; tenantId: string; idpId: string }
  /** A federation policy of the tenant was created, changed or deleted: processes drop the tenant's policies. */
  | { type: 'federation.changed'; tenantId: string }
  | { type: 'token.revoked'; jti: string; expiresAt: number }
  /** Grants (refresh-token families, secrets) ended: their access tokens are refused until `until`. */
  | { type: 'grant.ended'; ids: string[]; until: number };

/**
 * Not recorded by any write: announced when changes may have been missed (the notification
 * connection was lost), so subscribers drop what they hold.
 */
export interface ChangesMissed {
  type: 'changes.missed';
}

export type Announcement = Change | ChangesMissed;

/** How a use-case records a change: `tx.changes.record(...)` on the transaction it writes in. */
export interface ChangeRecorder {
  record(change: Change): void;
}

export type ChangeListener = (change: Announcement) => void;
