export const DOMAIN_MANAGER = 'domain-manager';
export const CLIENT_CREATOR = 'oauth2-client-creator';
export type BuiltinRole = typeof DOMAIN_MANAGER | typeof CLIENT_CREATOR;

export interface Role {
  id: string;
  tenantId: string;
  name: string;
  builtin: BuiltinRole | null;
  description: string;
  scopes: string[];
  createdAt: number;
}
