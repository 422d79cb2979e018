import type { NewAuditEvent } from './model.js';

/** Who does something, as the audit log records it. */
export interface Actor {
  type: 'user' | 'system' | 'platform';
  id: string | null;
  /** The OAuth2 client whose access token carried the call (absent for console sessions). */
  clientId?: string;
}

export const SYSTEM: Actor = { type: 'system', id: null };

/** The actor columns of an audit event: one mapping, so every event names the client a call came through. */
export function auditActor(actor: Actor): Pick<NewAuditEvent, 'actorType' | 'actorId' | 'actorClientId'> {
  return { actorType: actor.type, actorId: actor.id, actorClientId: actor.clientId ?? null };
}
