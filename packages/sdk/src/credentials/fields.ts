/** Loose credential fields, as flags, environment variables and profiles give them. */
export interface CredentialFields {
  email?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  tokenFile?: string;
  refreshToken?: string;
}
