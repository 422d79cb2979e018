export interface AuditEvent {
  id: number;
  tenantId: string | null;
  at: number;
  actorType: 'user' | 'client' | 'system' | 'platform';
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
}

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'> & { at?: number };
