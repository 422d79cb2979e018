import type { NewAuditEvent } from '../audit/model.js';

/** The lifecycle events a webhook endpoint can subscribe to (the contract other parts rely on). */
export const WEBHOOK_EVENTS = [
  'personal_client.created',
  'personal_client.expiring',
  'personal_client.expired',
  'personal_client.revoked',
  'personal_client.reported_leaked',
  'app.secret_regenerated',
  'app.deactivated',
  'app.reported_leaked',
  'refresh_token.reuse_detected',
  'refresh_token.reported_leaked',
  'signing_key.rotated',
] as const;
export type WebhookEventType = typeof WEBHOOK_EVENTS[number];

/**
 * The one mapping from audited action to announced event: whatever is audited as one of these
 * actions is announced, in the same transaction, so a rolled-back change is never announced.
 */
const BY_ACTION: Record<string, { type: WebhookEventType; target?: string }> = {
  'oauth2_client.created': { type: 'personal_client.created', target: 'oauth2_client' },
  'oauth2_client.expiring': { type: 'personal_client.expiring', target: 'oauth2_client' },
  'oauth2_client.expired': { type: 'personal_client.expired', target: 'oauth2_client' },
  'oauth2_client.revoked': { type: 'personal_client.revoked', target: 'oauth2_client' },
  'oauth2_client.reported_leaked': { type: 'personal_client.reported_leaked', target: 'oauth2_client' },
  'app.secret_rotated': { type: 'app.secret_regenerated' },
  'app.deactivated': { type: 'app.deactivated' },
  'app.secret_reported_leaked': { type: 'app.reported_leaked' },
  'refresh_token.reuse_detected': { type: 'refresh_token.reuse_detected' },
  'refresh_token.reported_leaked': { type: 'refresh_token.reported_leaked' },
  'signing_key.rotated': { type: 'signing_key.rotated' },
};

export function webhookEventFor(e: Pick<NewAuditEvent, 'action' | 'targetType' | 'tenantId'>): WebhookEventType | null {
  const m = BY_ACTION[e.action];
  if (!m || e.tenantId === null) return null;
  if (m.target && e.targetType !== m.target) return null;
  return m.type;
}

/** Events the owner and the domain's managers are also told about by email (when SMTP_URL is set). */
export const EMAIL_EVENTS: ReadonlySet<WebhookEventType> = new Set([
  'personal_client.expiring', 'personal_client.revoked', 'personal_client.reported_leaked',
  'app.reported_leaked', 'refresh_token.reported_leaked',
]);

/** Whether this event is emailed: a leak revokes the client too, and one email (the leak's) says both. */
export function emailsAbout(type: WebhookEventType, details: Record<string, unknown> | undefined): boolean {
  if (type === 'personal_client.revoked' && details?.reason === 'reported_leaked') return false;
  return EMAIL_EVENTS.has(type);
}

// Detail keys that could ever carry a secret never leave the server, whatever an audit call puts in.
const SECRET_KEYS = /secret|password|token$|hash|sealed|private/i;

export interface EventContext {
  tenant: string;
  /** The target client as it is now (personal clients and apps). */
  client?: { id: string; clientId: string; name: string; ownerId: string | null; ownerEmail: string | null };
}

export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** `{type, timestamp, data}`: tenant, target ids, names, owner, the audit details without secrets. */
export function webhookPayload(type: WebhookEventType, e: NewAuditEvent, at: number, c: EventContext): WebhookPayload {
  const details = Object.fromEntries(Object.entries(e.details ?? {}).filter(([k]) => !SECRET_KEYS.test(k)));
  const data: Record<string, unknown> = {
    tenant: c.tenant,
    targetType: e.targetType,
    targetId: e.targetId,
    actor: { type: e.actorType, id: e.actorId },
    ...details,
  };
  if (c.client) {
    data.clientId = c.client.clientId;
    data.name = c.client.name;
    data.owner = c.client.ownerId === null ? null : { id: c.client.ownerId, email: c.client.ownerEmail };
  }
  return { type, timestamp: new Date(at).toISOString(), data };
}
