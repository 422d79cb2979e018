import type { Tenant } from '../domain/tenants/model.js';
import type { Principal } from '../domain/users/principal-cache.js';

export interface AuthState {
  principal: Principal;
  via: 'session' | 'bearer';
  /** For bearer tokens: the token's client_id and scopes. */
  clientId?: string;
  scopes?: string[];
  /** For sessions: the CSRF token to expect on unsafe methods. */
  csrfToken?: string;
  sessionHash?: string;
}

declare module 'fastify' {
  interface FastifyReply {
    /** The RFC 6749 error code an OAuth endpoint answered with (metrics count refusals by it). */
    oauthError: string | null;
  }
  interface FastifyRequest {
    tenant: Tenant;
    auth: AuthState | null;
  }
}
