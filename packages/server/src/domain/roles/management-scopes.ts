import { CLIENT_CREATOR, DOMAIN_MANAGER, type BuiltinRole } from './model.js';

/**
 * The management API's own scopes. Like any API's scopes they come from roles and are carried by
 * tokens; a personal client holds them only when created with all of its owner's permissions (or
 * chosen). A scope narrows what a token may do; the roles still decide on what (a manager's
 * `latchkey:read` reads the domain, a user's only their own clients).
 */
export const MANAGEMENT_SCOPES = {
  'latchkey:read': 'Read users, roles, applications, personal clients, settings and the audit log',
  'latchkey:users': 'Invite users, change their roles and status, and manage roles',
  'latchkey:clients': 'Revoke personal OAuth2 clients',
  'latchkey:apps': 'Change, deactivate and delete applications',
  'latchkey:settings': 'Change domain settings, APIs (resources) and signing keys',
} as const;

export type ManagementScope = keyof typeof MANAGEMENT_SCOPES;

export const MANAGEMENT_SCOPE_NAMES = Object.keys(MANAGEMENT_SCOPES) as ManagementScope[];

/** Reserved: no API (resource) may define a scope with this prefix. */
export const MANAGEMENT_SCOPE_PREFIX = 'latchkey:';

export const isManagementScope = (s: string): s is ManagementScope => Object.hasOwn(MANAGEMENT_SCOPES, s);

/** What each built-in role holds of them when a tenant is created. */
export const BUILTIN_MANAGEMENT_SCOPES: Record<BuiltinRole, ManagementScope[]> = {
  [DOMAIN_MANAGER]: [...MANAGEMENT_SCOPE_NAMES],
  // Enough to list and revoke one's own personal clients.
  [CLIENT_CREATOR]: ['latchkey:read', 'latchkey:clients'],
};
