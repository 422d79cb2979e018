import type { IdentityProvider, LoginState } from './model.js';

export interface IdentityProviderRecords {
  insert(p: IdentityProvider): Promise<void>;
  replace(p: IdentityProvider): Promise<void>;
  byId(tenantId: string, id: string): Promise<IdentityProvider | undefined>;
  list(tenantId: string): Promise<IdentityProvider[]>;
  delete(tenantId: string, id: string): Promise<void>;
  insertState(s: LoginState): Promise<void>;
  consumeState(tenantId: string, stateHash: string, now: number): Promise<LoginState | undefined>;
  deleteExpiredStates(now: number): Promise<void>;
}
