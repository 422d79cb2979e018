import type { NewAuditEvent } from '../audit/model.js';
import type { AuditAction } from '../audit/actions.js';

/** The lifecycle events a webhook endpoint can subscribe to (the contract other parts rely on): audit actions, by the same name. */
export const WEBHOOK_EVENTS = [
  'personal_client.created',
  'personal_client.expiring',
  'personal_client.expired',
  'personal_client.revoked',
  'personal_client.reported_leaked',
  'personal_client.secret_rotated',
  'app.secret_regenerated',
  'app.deactivated',
  'app.reported_leaked',
  'refresh_token.reuse_detected',
  'refresh_token.reported_leaked',
  'signing_key.rotated',
] as const satisfies readonly AuditAction[];
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

/** What each event means, for people choosing what to subscribe to (the console's picker, the API's list). */
export const WEBHOOK_EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  'personal_client.created': 'A personal client was created',
  'personal_client.expiring': 'A personal client expires within 7 days, then within 1 day',
  'personal_client.expired': 'A personal client expired',
  'personal_client.revoked': 'Its owner, a manager or a policy revoked a personal client',
  'personal_client.reported_leaked': "A secret scanner reported a personal client's secret in public (it is revoked)",
  'personal_client.secret_rotated':
    "A personal client's secret was rotated (same client id; the old secret may work until an overlap ends)",
  'app.secret_regenerated': "An application's secret was regenerated (the old one may work until an overlap ends)",
  'app.deactivated': 'An application was deactivated',
  'app.reported_leaked': "A secret scanner reported an application's secret in public (it is regenerated)",
  'refresh_token.reuse_detected': 'A rotated refresh token was presented again: its whole grant was revoked',
  'refresh_token.reported_leaked': 'A secret scanner reported a refresh token in public: its whole grant was revoked',
  'signing_key.rotated': "The domain's signing key rotated",
};

/**
 * An audited action with a webhook event's name is announced, in the same transaction, so a
 * rolled-back change is never announced: one name per event, in the audit log and on the wire.
 */
export function webhookEventFor(e: Pick<NewAuditEvent, 'action' | 'tenantId'>): WebhookEventType | null {
  if (e.tenantId === null) return null;
  return (WEBHOOK_EVENTS as readonly string[]).includes(e.action) ? (e.action as WebhookEventType) : null;
}

/** Events the owner and the domain's managers are also told about by email (when SMTP_URL is set). */
export const EMAIL_EVENTS: ReadonlySet<WebhookEventType> = new Set([
  'personal_client.expiring',
  'personal_client.revoked',
  'personal_client.reported_leaked',
  'personal_client.secret_rotated',
  'app.reported_leaked',
  'refresh_token.reported_leaked',
]);

/**
 * Whether this event is emailed: a leak revokes the client too, and one email (the leak's) says both;
 * a rotation is news to the owner only when a manager did it.
 */
export function emailsAbout(type: WebhookEventType, details: Record<string, unknown> | undefined): boolean {
  if (type === 'personal_client.revoked' && details?.reason === 'reported_leaked') return false;
  if (type === 'personal_client.secret_rotated' && details?.by !== 'manager') return false;
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
