/**
 * Every action the audit log records: one name per event, the same in the log, its filters, the
 * console and, for the events a webhook announces, on the wire (domain/webhooks/events.ts).
 * Events recorded under an older name were renamed in place (migration 0019).
 */
export const AUDIT_ACTIONS = [
  'tenant.created', 'tenant.renamed', 'tenant.enterprise_enabled', 'tenant.enterprise_disabled', 'settings.updated',
  'user.invited', 'user.provisioned', 'user.enabled', 'user.disabled', 'user.password_changed', 'user.role_granted', 'user.role_revoked',
  'role.created', 'role.updated', 'role.deleted',
  'resource.created', 'resource.updated', 'resource.deleted',
  'session.created', 'session.ended', 'session.login_failed', 'session.sso_failed', 'user.sign_in_failed',
  'sso.enforced', 'sso.break_glass_set', 'sso.break_glass_sign_in',
  'identity_provider.created', 'identity_provider.updated', 'identity_provider.deleted',
  'personal_client.created', 'personal_client.expiring', 'personal_client.expired', 'personal_client.revoked', 'personal_client.reported_leaked',
  'client.first_used',
  'app.created', 'app.updated', 'app.deleted', 'app.activated', 'app.deactivated', 'app.expired', 'app.secret_regenerated', 'app.reported_leaked',
  'app.tokens_generated',
  'access_token.revoked', 'refresh_token.revoked', 'refresh_token.reuse_detected', 'refresh_token.reported_leaked',
  'signing_key.published', 'signing_key.rotated',
  'webhook.created', 'webhook.updated', 'webhook.deleted', 'webhook.secret_rotated',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
