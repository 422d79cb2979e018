import type { AuditAction } from './actions.js';

export interface AuditEvent {
  id: number;
  tenantId: string | null;
  at: number;
  actorType: 'user' | 'client' | 'system' | 'platform';
  actorId: string | null;
  /** The OAuth2 client whose token carried the call; null for console sessions and the system. */
  actorClientId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

/** Events are written with a name from the catalogue; what is read back is a string (older rows). */
export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at' | 'actorClientId' | 'action'> & {
  action: AuditAction;
  at?: number;
  actorClientId?: string | null;
};
