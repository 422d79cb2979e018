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
  /** Audit events older than this many days are deleted by maintenance (domain/audit/retention.ts). */
  auditRetentionDays: number;
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
  auditRetentionDays: 400,
};

/**
 * Bounds of the numeric settings; the HTTP schema publishes the same numbers. Here, with the data
 * types, so that what reads them (token lifetimes, grant ends) needs no use-case module.
 */
export const SETTINGS_LIMITS = {
  accessTokenTtlSeconds: { min: 60, max: 86_400 },
  refreshTokenTtlSeconds: { min: 3600, max: 5 * 365 * 86_400 },
  personalClientMaxDays: { min: 1, max: 3650 },
  refreshTokenGraceSeconds: { min: 0, max: 600 },
  // At least a month, so an incident can still be traced; at most ten years.
  auditRetentionDays: { min: 30, max: 3650 },
} as const;
