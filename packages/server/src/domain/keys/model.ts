export interface SigningKeyRecord {
  kid: string;
  tenantId: string;
  privateKeyEnc: string;
  publicJwk: Record<string, unknown>;
  status: 'active' | 'retired';
  createdAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
}
