import type { AppContext } from '../../context.js';
import type { Tenant } from '../../domain/tenants/model.js';
import type { TokenResponse } from '../../domain/tokens/issue.js';
import type { AuthenticatedClient } from '../client-auth.js';
import type { Params } from '../params.js';
import type { UseOrigin } from '../../domain/clients/usage.js';

export interface GrantRequest {
  ctx: AppContext;
  tenant: Tenant;
  auth: AuthenticatedClient;
  params: Params;
  ip: string;
  /** Where the request came from, for the client's usage record. */
  origin: UseOrigin;
}

export type Grant = (req: GrantRequest) => Promise<TokenResponse>;
