export interface SigningKeyRecord {
  kid: string;
  tenantId: string;
  privateKeyEnc: string;
  publicJwk: Record<string, unknown>;
  /** next: published ahead of its activation, signs nothing yet. */
  status: 'next' | 'active' | 'retired';
  createdAt: number;
  /** When it started signing; null for a next key (and for keys from before this was recorded). */
  activatedAt: number | null;
  retiredAt: number | null;
  expiresAt: number | null;
}
