/** A tenant's OpenID Connect provider, managed by its domain managers. */
export interface IdentityProvider {
  id: string;
  tenantId: string;
  name: string;
  issuer: string;
  clientId: string;
  /** Sealed with the master key (AAD = tenant and provider id); never shown again. */
  clientSecretSealed: string;
  /** Lowercase domains; only emails in these may sign in (linked or provisioned). */
  allowedEmailDomains: string[];
  jitProvisioning: boolean;
  enabled: boolean;
  /** From the discovery document, when the provider supports RP-initiated logout. */
  endSessionEndpoint: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A login on its way to the provider and back; consumed by the first callback that presents its state. */
export interface LoginState {
  stateHash: string;
  tenantId: string;
  idpId: string;
  nonce: string;
  codeVerifierSealed: string;
  next: string;
  expiresAt: number;
  /** SHA-256 (base64url) of the random value the starting browser holds in a cookie; null: none (refused). */
  bindingHash: string | null;
}

export const LOGIN_STATE_TTL_MS = 10 * 60_000;

export const secretAad = (p: { tenantId: string; id: string }) => `idp-secret:${p.tenantId}:${p.id}`;
export const verifierAad = (tenantId: string, stateHash: string) => `sso-verifier:${tenantId}:${stateHash}`;
export const idTokenAad = (tenantId: string, userId: string) => `sso-id-token:${tenantId}:${userId}`;

export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}
