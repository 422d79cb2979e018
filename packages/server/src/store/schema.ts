// Row shapes of every table. Timestamps are epoch milliseconds (bigint on PostgreSQL, parsed to
// number); booleans are 0/1 integers and lists are JSON text, so one schema runs on both back ends.
import type { Generated } from 'kysely';

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  enterprise_enabled: number;
  sso_enforced: number;
  signing_certificate_public: number;
  access_token_ttl_seconds: number;
  refresh_token_ttl_seconds: number;
  personal_client_max_days: number;
  revoke_clients_on_role_loss: number;
  refresh_token_grace_seconds: number;
  audit_retention_days: number;
  created_at: number;
}

/** Host names that serve a tenant at their root (unique: one tenant per host). */
export interface TenantHostsTable {
  host: string;
  tenant_id: string;
  created_at: number;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  display_name: string;
  status: string; // active | disabled
  password_hash: string | null;
  platform_admin: number;
  /** May still sign in with a password while the tenant enforces SSO. */
  break_glass: number;
  created_at: number;
  updated_at: number;
}

export interface RolesTable {
  id: string;
  tenant_id: string;
  name: string;
  builtin: string | null; // domain-manager | oauth2-client-creator | null
  description: string;
  scopes: string; // JSON string[]
  created_at: number;
}

export interface UserRolesTable {
  user_id: string;
  role_id: string;
  tenant_id: string;
}

export interface ResourcesTable {
  id: string;
  tenant_id: string;
  name: string;
  audience: string;
  scopes: string; // JSON string[]
  scope_descriptions: string; // JSON { scope: text }
  created_at: number;
}

export interface ClientsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  kind: string; // public | personal | app
  name: string;
  description: string;
  owner_user_id: string | null;
  secret_hash: string | null;
  secret_version: number;
  grant_types: string; // JSON string[]
  scopes: string; // JSON string[]; personal clients inherit their owner's scopes instead
  jwks: string | null; // JSON JWKS for private_key_jwt and jwt-bearer
  status: string; // active | inactive | revoked
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  first_used_at: number | null;
  last_used_at: number | null;
  last_used_address: string | null;
  last_used_user_agent: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
  expiry_noted_at: number | null;
  /** The smallest expiry warning (7 or 1 days) already announced. */
  expiry_warned_days: number | null;
  /** During a rotation's overlap: the replaced secret's hash, and when it stops working. */
  previous_secret_hash: string | null;
  previous_secret_expires_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  tenant_id: string;
  token_hash: string;
  family_id: string;
  client_id: string; // clients.id
  user_id: string | null;
  scope: string;
  secret_version: number;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
  /** Set on rotation: the token that replaced this one. */
  successor_id: string | null;
  /** The answer this token's rotation gave, sealed; kept until answer_until (the grace window). */
  answer_sealed: string | null;
  answer_until: number | null;
}

export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  private_key_enc: string;
  public_jwk: string;
  status: string; // next (published, not signing yet) | active | retired
  created_at: number;
  activated_at: number | null;
  retired_at: number | null;
  expires_at: number | null; // retired keys are dropped from the JWKS after this
  max_token_ttl_seconds: number; // longest access-token lifetime in force while it signed
}

export interface UsedAssertionsTable {
  client_id: string;
  jti: string;
  expires_at: number;
}

export interface RevokedAccessTokensTable {
  jti: string;
  tenant_id: string;
  expires_at: number;
  /** Epoch ms; 0 for rows written before it was recorded. */
  revoked_at: number;
}

export interface AuditEventsTable {
  id: Generated<number>;
  tenant_id: string | null;
  at: number;
  actor_type: string; // user | client | system | platform
  actor_id: string | null;
  actor_client_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string; // JSON
}

export interface SessionsTable {
  id_hash: string;
  tenant_id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  method: string; // password | sso
  idp_id: string | null;
  /** The provider's ID token, sealed: the id_token_hint of its end-session endpoint. */
  id_token_sealed: string | null;
}

export interface IdentityProvidersTable {
  id: string;
  tenant_id: string;
  name: string;
  issuer: string;
  client_id: string;
  client_secret_sealed: string;
  allowed_email_domains: string; // JSON string[]
  jit_provisioning: number;
  enabled: number;
  end_session_endpoint: string | null;
  created_at: number;
  updated_at: number;
}

export interface FederationPoliciesTable {
  id: string;
  tenant_id: string;
  name: string;
  issuer: string;
  audience: string;
  conditions: string; // JSON {claim: value}
  app_id: string;
  app_client_id: string;
  scopes: string; // JSON string[]
  max_token_lifetime_seconds: number;
  preset: string | null;
  refuse_replay: number;
  revision: number;
  created_at: number;
  updated_at: number;
  first_used_at: number | null;
  last_used_at: number | null;
  last_subject: string | null;
}

export interface SsoLoginStatesTable {
  /** SHA-256 of the state parameter: the row is found by the state and consumed once. */
  state_hash: string;
  tenant_id: string;
  idp_id: string;
  nonce: string;
  code_verifier_sealed: string;
  next: string;
  expires_at: number;
  /** SHA-256 of the browser binding (the start's cookie); null only for logins begun before it existed. */
  binding_hash: string | null;
}

export interface ThrottleEntriesTable {
  key: string;
  count: number;
  last_at: number;
  locked_until: number;
  expires_at: number;
}

/** Digests of accepted leaked-secret reports, refused when sent again (migration 0015). */
export interface SecretScanningReportsTable {
  digest: string;
  reporter: string;
  received_at: number;
  expires_at: number;
}

export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  events: string; // JSON string[]
  enabled: number;
  secret_sealed: string;
  created_at: number;
  updated_at: number;
  /** Which process holds the endpoint's one in-flight attempt, and until when. */
  lease_owner: string | null;
  lease_until: number | null;
}

export interface OutboxMessagesTable {
  id: string; // msg_…, the webhook-id: the same on every attempt
  tenant_id: string;
  channel: string; // webhook | email
  endpoint_id: string | null;
  event_type: string;
  payload: string; // JSON, the exact body sent
  state: string; // pending | delivered | failed
  attempts: number;
  created_at: number;
  next_attempt_at: number | null;
  first_attempt_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  finished_at: number | null;
}

export interface OutboxAttemptsTable {
  message_id: string;
  attempt: number;
  at: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface Database {
  tenants: TenantsTable;
  tenant_hosts: TenantHostsTable;
  users: UsersTable;
  roles: RolesTable;
  user_roles: UserRolesTable;
  resources: ResourcesTable;
  clients: ClientsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  used_assertions: UsedAssertionsTable;
  revoked_access_tokens: RevokedAccessTokensTable;
  audit_events: AuditEventsTable;
  sessions: SessionsTable;
  throttle_entries: ThrottleEntriesTable;
  secret_scanning_reports: SecretScanningReportsTable;
  webhook_endpoints: WebhookEndpointsTable;
  outbox_messages: OutboxMessagesTable;
  outbox_attempts: OutboxAttemptsTable;
  identity_providers: IdentityProvidersTable;
  sso_login_states: SsoLoginStatesTable;
  federation_policies: FederationPoliciesTable;
}
