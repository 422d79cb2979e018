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
  /** When a retired key leaves the JWKS (and stops verifying). */
  expiresAt: number | null;
  /**
   * The longest access-token lifetime in force while it signed (or may sign): bounds the tokens it
   * verifies, and how long it stays published once retired. Only ever raised.
   */
  maxTokenTtlSeconds: number;
}
