import { randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { Sealer } from '../crypto/master-key.js';
import type { Clock } from '../lib/clock.js';
import type { OutboxMessage } from '../domain/webhooks/model.js';
import { secretAad } from '../domain/webhooks/model.js';
import type { WebhookPayload } from '../domain/webhooks/events.js';
import { ATTEMPT_TIMEOUT_MS, nextAttemptAt } from '../domain/webhooks/backoff.js';
import { postWebhook, type AttemptResult } from './webhook-sender.js';
import { emailFor } from './email.js';
import type { Mailer } from './mailer.js';

// A lease outlives one attempt comfortably; a process that dies holding it frees it when it lapses.
const LEASE_MS = ATTEMPT_TIMEOUT_MS + 50_000;
// Messages sent for one endpoint under one lease before others get their turn.
const BATCH = 20;

export interface DispatcherOptions {
  store: Store;
  sealer: Sealer;
  clock: Clock;
  mailer?: Mailer;
  publicUrl: string;
  pollMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Delivers the outbox: runs in every process. For each endpoint, one attempt at a time across all
 * processes (the endpoint's lease), oldest due message first; a failure is retried with backoff
 * for a day, with the same webhook-id and body. At least once: a process that dies after the
 * receiver answered but before recording it leaves the message to be sent again.
 */
export class OutboxDispatcher {
  private readonly owner = randomUUID();
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;

  constructor(private readonly o: DispatcherOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.round) this.round = this.tick().catch((err) => this.o.onError?.(err)).finally(() => { this.round = undefined; });
    }, this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  /** Stops polling and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  /** One round: every endpoint with due messages (in parallel), then due emails. */
  async tick(): Promise<void> {
    const endpoints = await this.o.store.outbox.dueEndpoints(this.o.clock.now(), 50);
    await Promise.all(endpoints.map((id) => this.drainEndpoint(id).catch((err) => this.o.onError?.(err))));
    if (this.o.mailer) await this.sendEmails();
  }

  private async drainEndpoint(endpointId: string): Promise<void> {
    const { store } = this.o;
    try {
      for (let i = 0; i < BATCH; i++) {
        const now = this.o.clock.now();
        if (!(await store.webhooks.lease(endpointId, this.owner, now, now + LEASE_MS))) return;
        const m = await store.outbox.oldestDue(endpointId, now);
        if (!m) return;
        const endpoint = await store.webhooks.byId(m.tenantId, endpointId);
        if (!endpoint?.enabled) return;
        const secret = this.o.sealer.open(endpoint.secretSealed, secretAad(endpoint.id));
        const at = this.o.clock.now();
        await this.record(m, at, await postWebhook(endpoint.url, secret, m.id, m.payload, at));
      }
    } finally {
      await store.webhooks.release(endpointId, this.owner);
    }
  }

  private async sendEmails(): Promise<void> {
    const { store } = this.o;
    for (const m of await store.outbox.dueEmails(this.o.clock.now(), 20)) {
      const now = this.o.clock.now();
      if (!(await store.outbox.leaseMessage(m.id, this.owner, now, now + LEASE_MS))) continue;
      const payload = JSON.parse(m.payload) as WebhookPayload;
      const ownerId = (payload.data.owner as { id?: string } | null)?.id ?? (payload.data.ownerId as string | undefined) ?? null;
      const to = await store.outbox.emailRecipients(m.tenantId, ownerId);
      const started = performance.now();
      let result: AttemptResult;
      try {
        if (to.length > 0) await this.o.mailer!.send({ to, ...emailFor(payload, this.o.publicUrl) });
        result = { ok: true, statusCode: null, error: to.length > 0 ? null : 'nobody to tell (no active owner or manager)', durationMs: Math.round(performance.now() - started) };
      } catch (err) {
        result = { ok: false, statusCode: null, error: String((err as Error).message).slice(0, 200), durationMs: Math.round(performance.now() - started) };
      }
      await this.record(m, now, result);
    }
  }

  private async record(m: OutboxMessage, at: number, r: AttemptResult): Promise<void> {
    const attempt = m.attempts + 1;
    const next = r.ok ? null : nextAttemptAt(m.firstAttemptAt ?? at, attempt, at);
    await this.o.store.transaction((tx) => tx.outbox.recordAttempt(m, { attempt, at, statusCode: r.statusCode, error: r.error, durationMs: r.durationMs }, {
      state: r.ok ? 'delivered' : next === null ? 'failed' : 'pending', nextAttemptAt: next,
    }));
  }
}
