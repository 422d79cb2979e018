/** A console session as stored: the cookie's secret only as its hash. */
export interface SessionRecord {
  idHash: string;
  tenantId: string;
  userId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
  method?: 'password' | 'sso';
  idpId?: string | null;
  idTokenSealed?: string | null;
}

export interface SessionRecords {
  insert(s: SessionRecord): Promise<void>;
  byHash(idHash: string, now: number): Promise<SessionRecord | undefined>;
  delete(idHash: string): Promise<void>;
  deleteExpired(now: number): Promise<void>;
  deleteForUser(userId: string): Promise<void>;
  /** Ends the sessions started through this identity provider; answers how many. */
  deleteForIdentityProvider(tenantId: string, idpId: string): Promise<number>;
  /** Ends the tenant's password sessions except those of `keep` (user ids); answers how many. */
  deletePasswordSessions(tenantId: string, keep: string[]): Promise<number>;
}
