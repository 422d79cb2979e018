import type { RefreshTokenRecord } from './model.js';

export interface RefreshTokenRecords {
  /** True where a rotation is one statement on its own (not batched with others). */
  readonly rotatesAlone: boolean;
  rotate(
    id: string,
    at: number,
    successor: RefreshTokenRecord,
    answerSealed: string | null,
    answerUntil: number | null,
  ): Promise<boolean>;
  insert(t: RefreshTokenRecord): Promise<void>;
  byHash(tenantId: string, tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  byHashAnyTenant(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  familyLive(tenantId: string, familyId: string): Promise<boolean>;
  byId(tenantId: string, id: string): Promise<RefreshTokenRecord | undefined>;
  markRotated(
    id: string,
    at: number,
    successorId: string,
    answerSealed: string | null,
    answerUntil: number | null,
  ): Promise<boolean>;
  revokeFamily(tenantId: string, familyId: string, at: number): Promise<number>;
  /** Revokes a client's live tokens (with `belowSecretVersion`, the unrotated ones bound to an older secret); answers their families. */
  revokeForClient(tenantId: string, clientId: string, at: number, belowSecretVersion?: number): Promise<string[]>;
  revokeForUser(tenantId: string, userId: string, at: number): Promise<string[]>;
  forgetAnswers(now: number): Promise<void>;
  revokeUserTokensExcept(tenantId: string, keep: string[], at: number): Promise<string[]>;
}

/** Single-use client assertions and revoked access tokens, by jti. */
export interface ReplayRecords {
  useAssertion(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
  revokeAccessToken(tenantId: string, jti: string, expiresAt: number, revokedAt?: number): Promise<void>;
  revokedSince(since: number, now: number): Promise<{ jti: string; expiresAt: number }[]>;
  sweep(now: number): Promise<void>;
}
