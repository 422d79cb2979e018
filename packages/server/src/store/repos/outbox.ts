import type { Selectable } from 'kysely';
import type { Db } from '../db.js';
import type { OutboxRecords } from '../../domain/webhooks/ports.js';
import type { OutboxMessagesTable } from '../schema.js';
import type { OutboxAttempt, OutboxChannel, OutboxMessage, OutboxState } from '../../domain/webhooks/model.js';
import { DOMAIN_MANAGER } from '../../domain/roles/model.js';
import { orderedUuid } from '../../lib/ordered-id.js';

const toMessage = (r: Selectable<OutboxMessagesTable>): OutboxMessage => ({
  id: r.id,
  tenantId: r.tenant_id,
  channel: r.channel as OutboxMessage['channel'],
  endpointId: r.endpoint_id,
  eventType: r.event_type,
  payload: r.payload,
  state: r.state as OutboxState,
  attempts: r.attempts,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  firstAttemptAt: r.first_attempt_at,
  finishedAt: r.finished_at,
});

/** Time-ordered, so the newest-first log pages by id; the same id goes out on every attempt. */
const messageId = (at: number) => `msg_${orderedUuid(at).replaceAll('-', '')}`;

/**
 * The durable outbox: messages written in the transaction of the audited change, then delivered
 * by the dispatcher (delivery/dispatcher.ts) at least once.
 */
export class OutboxRepo implements OutboxRecords {
  constructor(private readonly db: Db) {}

  /** Queues messages (pending, due at once), in the caller's transaction; answers their ids, in order. */
  async enqueue(
    messages: Array<{
      tenantId: string;
      channel: OutboxChannel;
      endpointId: string | null;
      eventType: string;
      payload: string;
      at: number;
    }>,
  ): Promise<string[]> {
    if (messages.length === 0) return [];
    const ids = messages.map((m) => messageId(m.at));
    await this.db
      .insertInto('outbox_messages')
      .values(
        messages.map((m, i) => ({
          id: ids[i],
          tenant_id: m.tenantId,
          channel: m.channel,
          endpoint_id: m.endpointId,
          event_type: m.eventType,
          payload: m.payload,
          state: 'pending',
          attempts: 0,
          created_at: m.at,
          next_attempt_at: m.at,
        })),
      )
      .execute();
    return ids;
  }

  /** Enabled endpoints with a due message whose lease is free, the longest waiting first. */
  async dueEndpoints(now: number, limit: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('outbox_messages as m')
      .innerJoin('webhook_endpoints as e', 'e.id', 'm.endpoint_id')
      .select('m.endpoint_id')
      .where('m.state', '=', 'pending')
      .where('m.channel', '=', 'webhook')
      .where('m.next_attempt_at', '<=', now)
      .where('e.enabled', '=', 1)
      .where((w) => w.or([w('e.lease_until', 'is', null), w('e.lease_until', '<', now)]))
      .groupBy('m.endpoint_id')
      .orderBy((eb) => eb.fn.min('m.next_attempt_at'))
      .limit(limit)
      .execute();
    return rows.map((r) => r.endpoint_id!);
  }

  /**
   * The endpoint's oldest due message. A message waiting for its retry does not hold back later
   * ones (Standard Webhooks promises no order; receivers order by the payload's timestamp).
   */
  async oldestDue(endpointId: string, now: number): Promise<OutboxMessage | undefined> {
    const r = await this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('endpoint_id', '=', endpointId)
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    return r && toMessage(r);
  }

  async dueEmails(now: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('channel', '=', 'email')
      .where('state', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]))
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toMessage);
  }

  /** One process sends a given email at a time (compare-and-set on the message's lease). */
  async leaseMessage(id: string, owner: string, now: number, until: number): Promise<boolean> {
    const r = await this.db
      .updateTable('outbox_messages')
      .set({ lease_owner: owner, lease_until: until })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Logs the attempt and moves the message on: delivered, retried at `nextAttemptAt`, or failed. */
  async recordAttempt(
    m: OutboxMessage,
    a: OutboxAttempt,
    outcome: { state: OutboxState; nextAttemptAt: number | null },
  ): Promise<void> {
    await this.db
      .insertInto('outbox_attempts')
      .values({
        message_id: m.id,
        attempt: a.attempt,
        at: a.at,
        status_code: a.statusCode,
        error: a.error,
        duration_ms: a.durationMs,
      })
      .execute();
    await this.db
      .updateTable('outbox_messages')
      .set({
        attempts: a.attempt,
        state: outcome.state,
        next_attempt_at: outcome.nextAttemptAt,
        first_attempt_at: m.firstAttemptAt ?? a.at,
        finished_at: outcome.state === 'pending' ? null : a.at,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', m.id)
      .execute();
  }

  /** An endpoint's messages, newest first; the cursor is the last id seen. */
  async listForEndpoint(
    tenantId: string,
    endpointId: string,
    f: { state?: OutboxState },
    limit: number,
    beforeId?: string,
  ): Promise<Array<OutboxMessage & { log: OutboxAttempt[] }>> {
    let q = this.db
      .selectFrom('outbox_messages')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', '=', endpointId);
    if (f.state) q = q.where('state', '=', f.state);
    if (beforeId !== undefined) q = q.where('id', '<', beforeId);
    const messages = (await q.orderBy('id', 'desc').limit(limit).execute()).map(toMessage);
    if (messages.length === 0) return [];
    const attempts = await this.db
      .selectFrom('outbox_attempts')
      .selectAll()
      .where(
        'message_id',
        'in',
        messages.map((m) => m.id),
      )
      .orderBy('attempt')
      .execute();
    return messages.map((m) => ({
      ...m,
      log: attempts
        .filter((a) => a.message_id === m.id)
        .map((a) => ({
          attempt: a.attempt,
          at: a.at,
          statusCode: a.status_code,
          error: a.error,
          durationMs: a.duration_ms,
        })),
    }));
  }

  /** The newest message of each endpoint (ids are time-ordered: the greatest id), with its last attempt. */
  async latestForEndpoints(
    tenantId: string,
    endpointIds: string[],
  ): Promise<Array<OutboxMessage & { lastAttempt: OutboxAttempt | null }>> {
    if (endpointIds.length === 0) return [];
    const newest = this.db
      .selectFrom('outbox_messages')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', 'in', endpointIds)
      .groupBy('endpoint_id');
    const messages = (await this.db.selectFrom('outbox_messages').selectAll().where('id', 'in', newest).execute()).map(
      toMessage,
    );
    if (messages.length === 0) return [];
    const attempts = await this.db
      .selectFrom('outbox_attempts')
      .selectAll()
      .where(
        'message_id',
        'in',
        messages.map((m) => m.id),
      )
      .execute();
    return messages.map((m) => {
      const last = attempts
        .filter((a) => a.message_id === m.id)
        .reduce<(typeof attempts)[number] | null>((best, a) => (best && best.attempt > a.attempt ? best : a), null);
      return {
        ...m,
        lastAttempt: last && {
          attempt: last.attempt,
          at: last.at,
          statusCode: last.status_code,
          error: last.error,
          durationMs: last.duration_ms,
        },
      };
    });
  }

  /** Who is told by email: the client's owner and the domain's managers (active accounts). */
  async emailRecipients(tenantId: string, ownerId: string | null): Promise<string[]> {
    const managers = await this.db
      .selectFrom('users')
      .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
      .innerJoin('roles', 'roles.id', 'user_roles.role_id')
      .select('users.email')
      .where('users.tenant_id', '=', tenantId)
      .where('users.status', '=', 'active')
      .where('roles.builtin', '=', DOMAIN_MANAGER)
      .execute();
    const owner =
      ownerId === null
        ? undefined
        : await this.db
            .selectFrom('users')
            .select('email')
            .where('tenant_id', '=', tenantId)
            .where('id', '=', ownerId)
            .where('status', '=', 'active')
            .executeTakeFirst();
    return [...new Set([...(owner ? [owner.email] : []), ...managers.map((m) => m.email)])];
  }
}
