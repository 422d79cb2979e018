export interface TenantSettings {
  ssoEnforced: boolean;
  signingCertificatePublic: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  personalClientMaxDays: number;
  /** How long a just-rotated refresh token, presented again by its client, gets the same answer (0: never). */
  refreshTokenGraceSeconds: number;
  /** When a user loses the creator role: true revokes their personal clients, false keeps them. */
  revokeClientsOnRoleLoss: boolean;
}

export interface Tenant extends TenantSettings {
  id: string;
  slug: string;
  name: string;
  enterpriseEnabled: boolean;
  createdAt: number;
}

export const DEFAULT_SETTINGS: TenantSettings = {
  ssoEnforced: false,
  signingCertificatePublic: true,
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 31536000,
  personalClientMaxDays: 365,
  refreshTokenGraceSeconds: 60,
  revokeClientsOnRoleLoss: true,
};
