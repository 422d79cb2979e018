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
}
