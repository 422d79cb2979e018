export type UserStatus = 'active' | 'disabled';

export interface User {
  id: string;
  tenantId: string;
  email: string;
  displayName: string;
  status: UserStatus;
  passwordHash: string | null;
  platformAdmin: boolean;
  /** Named by the platform administrator: may sign in with a password while SSO is enforced. */
  breakGlass?: boolean;
  createdAt: number;
  updatedAt: number;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
