import type { NewAuditEvent } from './model.js';
import { SDK_CLIENT_ID } from '../clients/model.js';

/** Who does something, as the audit log records it. */
export interface Actor {
  type: 'user' | 'system' | 'platform';
  id: string | null;
  /** The OAuth2 client whose access token carried the call (absent for console sessions). */
  clientId?: string;
}

export const SYSTEM: Actor = { type: 'system', id: null };

/**
 * Whether the call came through a client credential (a personal client's or an application's
 * token) rather than a person's interactive sign-in: the console session, or a token of the
 * person's own sign-in through the built-in public client. Trust anchors (identity providers, SSO
 * enforcement, break-glass accounts, webhooks, tenants, who is a domain manager) and new
 * credentials change only through an interactive sign-in.
 */
export function viaClientCredential(actor: Actor): boolean {
  return actor.clientId !== undefined && actor.clientId !== SDK_CLIENT_ID;
}

/** The actor columns of an audit event: one mapping, so every event names the client a call came through. */
export function auditActor(actor: Actor): Pick<NewAuditEvent, 'actorType' | 'actorId' | 'actorClientId'> {
  return { actorType: actor.type, actorId: actor.id, actorClientId: actor.clientId ?? null };
}
