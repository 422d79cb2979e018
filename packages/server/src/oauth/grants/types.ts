import type { Tenant } from '../../domain/tenants/model.js';
import type { TokenResponse } from '../../domain/tokens/issue.js';
import type { IssueDeps, RotateDeps } from '../../domain/tokens/deps.js';
import type { SessionService } from '../../domain/sessions/service.js';
import type { AuthenticatedClient } from '../client-auth.js';
import type { AssertionDeps } from '../assertion.js';
import type { Params } from '../params.js';
import type { UseOrigin } from '../../domain/clients/usage.js';

/** What the grants call: token issuance and rotation, assertions, password sign-in. */
export type GrantDeps = IssueDeps &
  RotateDeps &
  AssertionDeps & {
    /** Checks a user's password (throttled and audited like the console's sign-in). */
    sessions: Pick<SessionService, 'signIn'>;
  };

export interface GrantRequest {
  deps: GrantDeps;
  tenant: Tenant;
  auth: AuthenticatedClient;
  params: Params;
  /** Where the request came from (address = request.ip, so TRUST_PROXY applies). */
  origin: UseOrigin & { address: string };
}

export type Grant = (req: GrantRequest) => Promise<TokenResponse>;
