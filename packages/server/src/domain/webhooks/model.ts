export interface WebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  /** The signing secret, sealed with the master key (shown once, on create and on rotation). */
  secretSealed: string;
  createdAt: number;
  updatedAt: number;
}

export type OutboxChannel = 'webhook' | 'email';
export type OutboxState = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint (or one email): delivered at least once, with the same id every time. */
export interface OutboxMessage {
  id: string;
  tenantId: string;
  channel: OutboxChannel;
  endpointId: string | null;
  eventType: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number | null;
  /** On the schedulers' clock: the retry window (a day) starts here. */
  firstAttemptAt: number | null;
  finishedAt: number | null;
}

export interface OutboxAttempt {
  attempt: number;
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** The sealed secret's associated data: a sealed secret copied to another endpoint does not open. */
export const secretAad = (endpointId: string) => `webhook-secret:${endpointId}`;
