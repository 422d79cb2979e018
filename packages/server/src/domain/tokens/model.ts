export interface RefreshTokenRecord {
  id: string;
  tenantId: string;
  tokenHash: string;
  familyId: string;
  clientId: string; // internal clients.id
  userId: string | null;
  scope: string;
  secretVersion: number;
  createdAt: number;
  expiresAt: number;
  rotatedAt: number | null;
  revokedAt: number | null;
  /** The token that replaced this one at rotation. */
  successorId: string | null;
  /** The answer of this token's rotation, sealed with the master key, kept until answerUntil. */
  answerSealed: string | null;
  answerUntil: number | null;
}
